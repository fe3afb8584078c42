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
  /**
   * The largest CloudEvent body accepted (default MAX_EVENT_BYTES). A bigger one is refused unparsed with DROP (dead
   * letter): it can never become smaller, so a retry would only repeat the refusal.
   */
  maxEventBytes?: number;
}): Router {
  const pubsub = options.pubsub ?? 'pubsub';
  const maxEventBytes = options.maxEventBytes ?? MAX_EVENT_BYTES;
  const deadLetterTopic = options.deadLetterTopic ?? 'deadletter';
  const router = new Router();
  const routeOf = (s: Subscription) => s.route ?? `/events/${s.topic}`;
  router.get('/dapr/subscribe', (ctx) => {
    ctx.body = options.subscriptions.map((s) => ({ pubsubname: pubsub, topic: s.topic, route: routeOf(s), deadLetterTopic }));
  });
  for (const s of options.subscriptions) {
    router.post(routeOf(s), async (ctx) => {
      const read = await readCloudEvent(ctx, maxEventBytes);
      const event = read === 'too-large' ? undefined : read;
      let status: DeliveryOutcome = 'SUCCESS';
      if (read === 'too-large') {
        status = 'DROP';
        options.logger.warn({ topic: s.topic, maxEventBytes, contentLength: ctx.get('content-length') || undefined }, 'event dropped unread: body over the size limit');
      } else if (!event) status = 'DROP';
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

/**
 * The largest CloudEvent a subscription reads: 256 KiB. Our payloads are ids, names and titles (a few hundred bytes;
 * a session.revoked of a user's every session stays far below); anything near this is not an event we publish.
 */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * The delivery's CloudEvent, undefined when it is not one, or 'too-large' when its body exceeds `limit`: then
 * nothing is parsed, reading stops at the limit (a declared Content-Length over it is refused before any byte is
 * read) and the connection is closed after the answer, so the rest of the body is never read either.
 */
async function readCloudEvent(ctx: Context, limit: number): Promise<CloudEvent<unknown> | undefined | 'too-large'> {
  const tooLarge = () => {
    ctx.set('Connection', 'close');
    return 'too-large' as const;
  };
  const declared = Number(ctx.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) return tooLarge();
  // Read by hand rather than with for-await: leaving a for-await early would destroy the request, and with it the
  // socket the answer must go out on.
  const req = ctx.req;
  const body = await new Promise<Buffer | 'too-large'>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      done();
      req.pause();
      resolve('too-large');
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
  if (body === 'too-large') return tooLarge();
  try {
    const parsed = JSON.parse(body.toString('utf8')) as CloudEvent<unknown>;
    if (!parsed || typeof parsed.id !== 'string' || typeof parsed.type !== 'string' || typeof parsed.source !== 'string') return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}
