import { defineEntity, p } from '@mikro-orm/core';

/** (owner, key) → what the first create with that idempotency key made; a retry finds it (idempotency.repository.ts). */
export const IdempotencyKey = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'idempotency_key',
  properties: {
    ownerId: p.uuid().primary(),
    key: p.string().primary(),
    operation: p.string().length(40),
    /** SHA-256 of the request, hex. */
    requestHash: p.character().length(64),
    resourceId: p.text(),
    createdAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()).index('idempotency_key_created_at_idx'),
  },
});
