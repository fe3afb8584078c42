import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventPayloads, Topic } from '@vcd/contracts';
import { enqueueEvent } from '@vcd/messaging';

/** Adds a catalogue event to the outbox of the transaction `em` belongs to (typed by topic). */
export const enqueueBlogEvent = <T extends Topic>(em: EntityManager, topic: T, data: EventPayloads[T]): string =>
  enqueueEvent(em, topic, data as unknown as Record<string, unknown>);
