import Router from '@koa/router';
import type { Context } from 'koa';
import { parseEventData, PUBLISHER_OF, type EventPayloads, type Topic } from '@vcd/contracts';
import { counter, histogram, LATENCY_BUCKETS } from '@vcd/telemetry';
import type { CloudEvent } from './sidecar.js';

/** Deliveries by topic and outcome: DROP sends the event to the dead-letter topic at once, RETRY redelivers. */
const deliveries = counter('events_delivered_total', 'Pub/sub deliveries handled, by topic and outcome (SUCCESS|RETRY|DROP)', ['topic', 'outcome']);
/** From the event's time (its outbox row's commit) to its effect applied here: publish→applied latency. */
const endToEnd = histogram('events_publish_to_applied_seconds', 'Seconds from an event being written (CloudEvent time) to its handler succeeding, by topic', ['topic'], LATENCY_BUCKETS);

/** Dapr's pub/sub delivery contract: SUCCESS acks, RETRY redelivers, DROP sends to the dead-letter topic. */
export type DeliveryOutcome = 'SUCCESS' | 'RETRY' | 'DROP';

/** Thrown by a handler for an event that can never succeed (malformed, unknown type). */
export class PermanentEventError extends Error {
  override name = 'PermanentEventError';
}

export interface Subscription {
  topic: string;
  /**
   * The app ids that may publish this topic: an event whose CloudEvent `source` is another is dropped (DROP, dead
   * letter) and logged at warn. Our relays set `source` to the publishing service (packages/messaging); the
   * pub/sub scopes of the components let only the owner publish the topic, and this check is the consumer's own.
   */
  publishers: readonly string[];
  /** Route under which daprd delivers, e.g. /events/post.published. */
  route?: string;
  handler: (event: CloudEvent<unknown>, ctx: Context) => Promise<void>;
}

/**
 * A subscription to `topic` whose handler receives the payload parsed with the topic's schema from the event
 * catalogue (@vcd/contracts): the same schemas type what publishers emit. A payload that does not parse can never
 * succeed: PermanentEventError → DROP (dead letter) without calling the handler. The topic is accepted only from its
 * publisher (PUBLISHER_OF) unless `publishers` says otherwise.
 */
export function subscription<T extends Topic>(
  topic: T,
  handler: (data: EventPayloads[T], event: CloudEvent<unknown>, ctx: Context) => Promise<void>,
  options: { publishers?: readonly string[]; route?: string } = {},
): Subscription {
  return {
    topic,
    publishers: options.publishers ?? [PUBLISHER_OF[topic]],
    ...(options.route ? { route: options.route } : {}),
    handler: async (event, ctx) => {
      const parsed = parseEventData(topic, event.data);
      if (!parsed.ok) throw new PermanentEventError(`${topic} ${event.id}: payload does not match the event catalogue (${parsed.error})`);
      await handler(parsed.data, event, ctx);
    },
  };
}

export interface SubscriptionLogger {
  debug?(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Programmatic subscriptions (GET /dapr/subscribe) plus one delivery route per topic. An event from a source the
 * subscription does not name is dropped unseen by the handler. Handler failures map to Dapr's status contract:
 * PermanentEventError → DROP (dead-letter), anything else → RETRY (bounded by the Resiliency policy, then
 * dead-letter).
 */
export function subscriptionRouter(options: {
  pubsub?: string;
  deadLetterTopic?: string;
  subscriptions: Subscription[];
  logger: SubscriptionLogger;
}): Router {
  const pubsub = options.pubsub ?? 'pubsub';
  const deadLetterTopic = options.deadLetterTopic ?? 'deadletter';
  const router = new Router();
  const routeOf = (s: Subscription) => s.route ?? `/events/${s.topic}`;
  router.get('/dapr/subscribe', (ctx) => {
    ctx.body = options.subscriptions.map((s) => ({ pubsubname: pubsub, topic: s.topic, route: routeOf(s), deadLetterTopic }));
  });
  for (const s of options.subscriptions) {
    router.post(routeOf(s), async (ctx) => {
      const event = await readCloudEvent(ctx);
      let status: DeliveryOutcome = 'SUCCESS';
      if (!event) status = 'DROP';
      else if (!s.publishers.includes(event.source)) {
        status = 'DROP';
        options.logger.warn(
          { topic: s.topic, eventId: event.id, source: event.source.slice(0, 200), expected: s.publishers },
          'event dropped: not published by the service that owns the topic',
        );
      } else {
        try {
          await s.handler(event, ctx);
        } catch (err) {
          status = err instanceof PermanentEventError ? 'DROP' : 'RETRY';
          const log = status === 'DROP' ? options.logger.warn : options.logger.error;
          log.call(options.logger, { err, topic: s.topic, eventId: event.id }, `event ${status === 'DROP' ? 'dropped' : 'will be retried'}`);
        }
      }
      options.logger.debug?.({ topic: s.topic, eventId: event?.id, status }, 'event delivered');
      deliveries.inc({ topic: s.topic, outcome: status });
      const written = event ? Date.parse(event.time) : NaN;
      if (status === 'SUCCESS' && Number.isFinite(written)) endToEnd.observe({ topic: s.topic }, Math.max(0, (Date.now() - written) / 1000));
      ctx.status = 200;
      ctx.body = { status };
    });
  }
  return router;
}

async function readCloudEvent(ctx: Context): Promise<CloudEvent<unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CloudEvent<unknown>;
    if (!parsed || typeof parsed.id !== 'string' || typeof parsed.type !== 'string' || typeof parsed.source !== 'string') return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}
