import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Records a delivery in the inbox in the caller's transaction (with the effect it guards); false when this
 * CloudEvent id was handled already. The same row and rule as @vcd/messaging's handleOnce, inside a unit of work
 * (handleOnce opens a transaction of its own, which a consumer that emits events cannot share).
 */
export async function claimDelivery(tx: EntityManager, event: { id: string; topic: string }): Promise<boolean> {
  const inserted = (await tx.execute(`insert into inbox (event_id, topic) values (?, ?) on conflict (event_id) do nothing returning event_id`, [
    event.id,
    event.topic,
  ])) as unknown[];
  return inserted.length > 0;
}
