import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Records a delivery in the inbox in the caller's transaction (with the effect it guards); false when this
 * CloudEvent id was handled already. The same row and rule as @vcd/messaging's handleOnce, inside a unit of work
 * (handleOnce opens a transaction of its own, which a consumer that emits events cannot share).
 */
export const claimDelivery = async (tx: EntityManager, event: { id: string; topic: string }): Promise<boolean> =>
  (await claimDeliveries(tx, [event])).size > 0;

/**
 * Records deliveries in one statement (the caller's transaction); returns the ids not handled before (an id twice in
 * the batch counts once). received_at is when the row was written (clock_timestamp), not when its transaction began
 * (now()): a batch's transaction holds many events, and the bench reads how long each took to be applied.
 */
export async function claimDeliveries(tx: EntityManager, events: { id: string; topic: string }[]): Promise<Set<string>> {
  const rows = (await tx.execute(
    `insert into inbox (event_id, topic, received_at)
     select x.id, x.topic, clock_timestamp() from json_to_recordset(?::json) as x(id text, topic text)
     on conflict (event_id) do nothing returning event_id`,
    [JSON.stringify(events.map(({ id, topic }) => ({ id, topic })))],
  )) as { event_id: string }[];
  return new Set(rows.map((r) => r.event_id));
}
