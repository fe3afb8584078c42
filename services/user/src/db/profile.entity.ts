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
    /** The last account identity version applied (auth's events carry it); 0 when none was. */
    identityVersion: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
