import type { EntityManager } from '@mikro-orm/postgresql';
import { parseEventData, PUBLISHER_OF, type EventPayloads, type Topic } from '@vcd/contracts';
import { PermanentEventError, type BulkDelivery, type Subscription } from '@vcd/dapr';
import type { EventSink, UnitOfWork } from '@vcd/messaging';
import { counter } from '@vcd/telemetry';
import type { ServiceStats } from '../domain/call-stats.js';
import { applyEachOnce, applyOnce, type BatchEffect } from '../usecases/apply-once.js';

const duplicates = counter('inbox_duplicates_dropped_total', 'Redelivered events the inbox recognised and skipped, by topic', ['topic']);

/**
 * Deliveries come in batches (Dapr bulk subscribe, ADR 22): up to 32 events of a topic at once (the Redis
 * component's `concurrency`, the most deliveries it has in flight), held at most 1 ms for a batch to fill: under load
 * a batch is what arrived while the previous one was applied.
 */
const EVENT_BATCH: BulkDelivery = { maxMessages: 32, maxAwaitMs: 1 };

export interface ConsumerDeps {
  /** The consumers' unit of work (on a fork of the service's EntityManager): inbox row, effect and events commit together. */
  work: UnitOfWork;
  stats: ServiceStats;
}

/**
 * A subscription to `topic` (accepted only from its publisher) whose handler parses the payload with the topic's
 * schema from the event catalogue (@vcd/contracts, the same schemas that type what publishers emit; a payload that
 * does not parse is permanent: DROP, dead letter) and applies its effect (a use case) once per CloudEvent id: the
 * inbox row, the effect and the events it emits commit in one unit of work. Any other failure (database down, …)
 * propagates: RETRY, bounded by the Resiliency policy. Deliveries come in batches (EVENT_BATCH), a batch applied in
 * one unit of work.
 */
export function consume<T extends Topic>(
  deps: ConsumerDeps,
  topic: T,
  effect: (tx: EntityManager, data: EventPayloads[T], events: EventSink, eventId: string) => Promise<void>,
  /** The same effect for a whole batch at once, when the use case has one (set-based SQL); else `effect` per event. */
  effectMany?: BatchEffect<EventPayloads[T]>,
): Subscription {
  return {
    topic,
    publishers: [PUBLISHER_OF[topic]],
    bulk: EVENT_BATCH,
    // A batch in one unit of work. Any failure (a payload that does not parse, a database error) undoes the whole
    // batch, and the router then hands each event to `handler` alone, for its own outcome.
    batchHandler: async (events) => {
      const deliveries = events.map((event) => {
        const parsed = parseEventData(topic, event.data);
        if (!parsed.ok) throw new PermanentEventError(`${topic} ${event.id}: payload does not match the event catalogue`);
        return { id: event.id, topic, data: parsed.data };
      });
      const applied = await applyEachOnce(deps.work, deliveries, effect, effectMany);
      if (applied < events.length) duplicates.inc({ topic }, events.length - applied);
      deps.stats.events.add(topic, 'processed', applied);
      if (applied < events.length) deps.stats.events.add(topic, 'duplicate', events.length - applied);
    },
    handler: async (event) => {
      const parsed = parseEventData(topic, event.data);
      if (!parsed.ok) {
        deps.stats.events.add(topic, 'dropped');
        throw new PermanentEventError(`${topic} ${event.id}: payload does not match the event catalogue (${parsed.error})`);
      }
      const data = parsed.data;
      try {
        const applied = await applyOnce(deps.work, { id: event.id, topic }, (tx, events) => effect(tx, data, events, event.id));
        if (!applied) duplicates.inc({ topic });
        deps.stats.events.add(topic, applied ? 'processed' : 'duplicate');
      } catch (err) {
        deps.stats.events.add(topic, 'failed');
        throw err;
      }
    },
  };
}
