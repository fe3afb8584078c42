import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventSink, UnitOfWork } from '@vcd/messaging';
import { claimDelivery } from '../db/inbox.repository.js';

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
