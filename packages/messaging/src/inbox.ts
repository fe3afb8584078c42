import type { EntityManager } from '@mikro-orm/postgresql';
import { counter } from '@vcd/telemetry';

const duplicates = counter('inbox_duplicates_dropped_total', 'Redelivered events the inbox recognised and skipped, by topic', ['topic']);

/**
 * Runs `effect` once per event id: the inbox row and the effect commit in one transaction, so a redelivered
 * event changes nothing. Returns false when the event had already been handled.
 */
export async function handleOnce(
  em: EntityManager,
  event: { id: string; topic: string },
  effect: (tx: EntityManager) => Promise<void>,
): Promise<boolean> {
  return em.fork().transactional(async (tx) => {
    // em.execute runs inside this transaction (getConnection().execute would not).
    const inserted = (await tx.execute(`insert into inbox (event_id, topic) values (?, ?) on conflict (event_id) do nothing returning event_id`, [
      event.id,
      event.topic,
    ])) as unknown[];
    if (inserted.length === 0) {
      duplicates.inc({ topic: event.topic });
      return false;
    }
    await effect(tx);
    return true;
  });
}
