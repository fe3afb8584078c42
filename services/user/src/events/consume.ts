import type { EntityManager } from '@mikro-orm/postgresql';
import { PermanentEventError, type Subscription } from '@vcd/dapr';
import { handleOnce } from '@vcd/messaging';
import type { ServiceStats } from '../domain/call-stats.js';

export interface ConsumerDeps {
  em: EntityManager;
  stats: ServiceStats;
  /** Called after a handler's transaction committed events to the outbox. */
  afterCommit: () => void;
}

/**
 * A subscription (accepting `topic` only from `publishers`) whose handler parses the payload (a payload that does not parse is permanent: DROP, dead
 * letter) and applies its effect once per CloudEvent id, the inbox row in the same transaction as the effect.
 * Any other failure (database down, …) propagates: RETRY, bounded by the Resiliency policy.
 */
export function consume<T>(
  deps: ConsumerDeps,
  topic: string,
  publishers: readonly string[],
  parse: (data: unknown) => T | undefined,
  effect: (tx: EntityManager, data: T, eventId: string) => Promise<{ enqueued?: boolean } | void>,
): Subscription {
  return {
    topic,
    publishers,
    handler: async (event) => {
      const data = parse(event.data);
      if (data === undefined) {
        deps.stats.events.add(topic, 'dropped');
        throw new PermanentEventError(`${topic} ${event.id}: payload does not match the event catalogue`);
      }
      let enqueued = false;
      try {
        const applied = await handleOnce(deps.em, { id: event.id, topic }, async (tx) => {
          enqueued = !!(await effect(tx, data, event.id))?.enqueued;
        });
        deps.stats.events.add(topic, applied ? 'processed' : 'duplicate');
      } catch (err) {
        deps.stats.events.add(topic, 'failed');
        throw err;
      }
      if (enqueued) deps.afterCommit();
    },
  };
}
