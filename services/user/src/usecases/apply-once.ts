import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventSink, UnitOfWork } from '@vcd/messaging';
import { claimDeliveries, claimDelivery } from '../db/inbox.repository.js';

/**
 * Runs an event's effect (a use case) once per CloudEvent id: the inbox row, the effect and the events it emits
 * commit in one unit of work. False when the event had been handled already (nothing is done then).
 */
export function applyOnce(
  work: UnitOfWork,
  delivery: { id: string; topic: string },
  effect: (tx: EntityManager, events: EventSink) => Promise<void>,
): Promise<boolean> {
  return work.run(async (tx, events) => {
    if (!(await claimDelivery(tx, delivery))) return false;
    await effect(tx, events);
    return true;
  });
}

/** The effect of a batch of events of one topic at once (set-based: one statement per table, not per event). */
export type BatchEffect<T> = (tx: EntityManager, items: { data: T; eventId: string }[], events: EventSink) => Promise<void>;

/**
 * Runs the effects of a batch of deliveries of one topic in one unit of work, each once per CloudEvent id (an id seen
 * before, or twice in the batch, is skipped): with `effectMany`, the new ones at once after one claim statement;
 * otherwise one after another, in order. All or nothing: when an effect fails, none is applied and the error
 * propagates. Returns how many were applied.
 */
export function applyEachOnce<T>(
  work: UnitOfWork,
  deliveries: { id: string; topic: string; data: T }[],
  effect: (tx: EntityManager, data: T, events: EventSink, eventId: string) => Promise<void>,
  effectMany?: BatchEffect<T>,
): Promise<number> {
  return work.run(async (tx, events) => {
    if (effectMany) {
      const fresh = await claimDeliveries(tx, deliveries);
      const items = [...new Map(deliveries.filter((d) => fresh.has(d.id)).map((d) => [d.id, { data: d.data, eventId: d.id }])).values()];
      if (items.length > 0) await effectMany(tx, items, events);
      return items.length;
    }
    let applied = 0;
    for (const d of deliveries) {
      if (!(await claimDelivery(tx, d))) continue;
      await effect(tx, d.data, events, d.id);
      applied++;
    }
    return applied;
  });
}
