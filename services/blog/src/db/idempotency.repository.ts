import type { EntityManager } from '@mikro-orm/postgresql';
import { IdempotencyKey } from './idempotency-key.entity.js';

export interface IdempotencyClaim {
  ownerId: string;
  key: string;
  operation: string;
  requestHash: string;
  resourceId: string;
}

export interface IdempotencyRecord {
  operation: string;
  requestHash: string;
  resourceId: string;
}

/**
 * Records (owner, key) → resource inside the creating transaction. Returns undefined when this call claimed the
 * key, or the earlier record when the key was already used (a concurrent first use is waited for: the insert
 * blocks on the other transaction's row and then sees it committed).
 */
export async function claimIdempotencyKey(em: EntityManager, c: IdempotencyClaim): Promise<IdempotencyRecord | undefined> {
  const inserted = await em.execute<{ key: string }[]>(
    `insert into idempotency_key (owner_id, key, operation, request_hash, resource_id) values (?, ?, ?, ?, ?)
     on conflict (owner_id, key) do nothing returning key`,
    [c.ownerId, c.key, c.operation, c.requestHash, c.resourceId],
  );
  if (inserted.length > 0) return undefined;
  const row = await em.findOne(IdempotencyKey, { ownerId: c.ownerId, key: c.key });
  if (!row) throw new Error('idempotency key vanished between insert and select');
  return { operation: row.operation, requestHash: row.requestHash, resourceId: row.resourceId };
}
