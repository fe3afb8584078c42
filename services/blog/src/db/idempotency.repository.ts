import type { EntityManager } from '@mikro-orm/postgresql';

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
  const rows = await em.execute<{ operation: string; request_hash: string; resource_id: string }[]>(
    `select operation, request_hash, resource_id from idempotency_key where owner_id = ? and key = ?`,
    [c.ownerId, c.key],
  );
  const row = rows[0];
  if (!row) throw new Error('idempotency key vanished between insert and select');
  return { operation: row.operation, requestHash: row.request_hash, resourceId: row.resource_id };
}
