import { defineEntity, p } from '@mikro-orm/core';

/** A user's settings; no row means the defaults (domain/preferences.ts). */
export const Preference = defineEntity({
  name: 'Preference',
  tableName: 'preference',
  properties: {
    userId: p.uuid().primary(),
    notifyNewPosts: p.boolean().default(true),
    notifyComments: p.boolean().default(true),
    notifyReactions: p.boolean().default(true),
    notifyFollowers: p.boolean().default(true),
    emailDigest: p.boolean().default(false),
    language: p.string().length(16).default('en'),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
