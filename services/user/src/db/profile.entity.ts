import { defineEntity, p } from '@mikro-orm/core';

/** A user's public profile; the id is the account id that the auth service assigned. */
export const Profile = defineEntity({
  name: 'Profile',
  tableName: 'profile',
  properties: {
    id: p.uuid().primary(),
    username: p.string().unique(),
    bio: p.text().nullable(),
    image: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
