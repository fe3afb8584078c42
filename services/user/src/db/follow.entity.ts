import { defineEntity, p } from '@mikro-orm/core';

/** `followerId` follows `followeeId` (both account ids). */
export const Follow = defineEntity({
  name: 'Follow',
  tableName: 'follow',
  properties: {
    followerId: p.uuid().primary(),
    followeeId: p.uuid().primary(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
