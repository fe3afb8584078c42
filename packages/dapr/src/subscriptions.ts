import Router from '@koa/router';
import type { Context } from 'koa';
import { parseEventData, PUBLISHER_OF, type EventPayloads, type Topic } from '@vcd/contracts';
import { counter, histogram, LATENCY_BUCKETS } from '@vcd/telemetry';
import type { CloudEvent } from './sidecar.js';

/** Deliveries by topic and outcome: DROP sends the event to the dead-letter topic at once, RETRY redelivers. */
const deliveries = counter('events_delivered_total', 'Pub/sub deliveries handled, by topic and outcome (SUCCESS|RETRY|DROP)', ['topic', 'outcome']);
/** From the event's time (its outbox row's commit) to its effect applied here: publish→applied latency. */
const endToEnd = histogram('events_publish_to_applied_seconds', 'Seconds from an event being written (CloudEvent time) to its handler succeeding, by topic', ['topic'], LATENCY_BUCKETS);

/** Events per bulk delivery (Dapr bulk subscribe), by topic. */
const batchSizes = histogram('events_batch_size', 'Events per bulk delivery from daprd, by topic', ['topic'], [1, 2, 4, 8, 16, 32, 64]);

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
  /**
   * Deliver in batches (Dapr bulk subscribe): daprd hands the route up to `maxMessages` events of the topic in one
   * request, waiting at most `maxAwaitMs` for a batch to fill, and takes an outcome per event back.
   */
  bulk?: BulkDelivery;
  /**
   * Applies a batch of accepted events together (e.g. in one transaction). Resolving means every one succeeded;
   * throwing means none was applied, and each is then handed to `handler` alone, for an outcome of its own. Without
   * it, the events of a batch go to `handler` one after another.
   */
  batchHandler?: (events: CloudEvent<unknown>[], ctx: Context) => Promise<void>;
}

/** Dapr bulk subscribe settings of a subscription (GET /dapr/subscribe `bulkSubscribe`). */
export interface BulkDelivery {
  /** The most events in one delivery. */
  maxMessages: number;
  /** How long daprd waits for a batch to fill before it delivers what it has, in ms. */
  maxAwaitMs: number;
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
    ctx.body = options.subscriptions.map((s) => ({
      pubsubname: pubsub,
      topic: s.topic,
      route: routeOf(s),
      deadLetterTopic,
      ...(s.bulk ? { bulkSubscribe: { enabled: true, maxMessagesCount: s.bulk.maxMessages, maxAwaitDurationMs: s.bulk.maxAwaitMs } } : {}),
    }));
  });
  const log = options.logger;
  for (const s of options.subscriptions) {
    // A batch may hold maxMessages events of up to maxEventBytes each.
    const bodyLimit = s.bulk ? maxEventBytes * s.bulk.maxMessages : maxEventBytes;
    router.post(routeOf(s), async (ctx) => {
      const body = await readJsonBody(ctx, bodyLimit);
      ctx.status = 200;
      // A batch only where the subscription asked for batches; anywhere else the envelope is not a CloudEvent: DROP.
      if (s.bulk && body !== 'too-large' && isBulkEnvelope(body.json)) {
        batchSizes.observe({ topic: s.topic }, body.json.entries.length);
        ctx.body = { statuses: await deliverBatch(s, body.json.entries, ctx, log, body.bytes > maxEventBytes ? maxEventBytes : undefined) };
        return;
      }
      // Too large for its kind (a batch answered so gets no statuses: daprd retries it, then dead-letters it).
      if (body === 'too-large' || body.bytes > maxEventBytes) {
        if (body !== 'too-large') ctx.set('Connection', 'close');
        log.warn({ topic: s.topic, maxEventBytes, contentLength: ctx.get('content-length') || undefined }, 'event dropped unread: body over the size limit');
        record(s.topic, 'DROP');
        ctx.body = { status: 'DROP' };
        return;
      }
      const event = asCloudEvent(body.json);
      const status = event ? (screen(s, event, log) ?? (await deliverOne(s, event, ctx, log))) : 'DROP';
      record(s.topic, status, event);
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

/** Counts a delivery's outcome, and for a success the time since the event was written. */
function record(topic: string, status: DeliveryOutcome, event?: CloudEvent<unknown>): void {
  deliveries.inc({ topic, outcome: status });
  const written = event ? Date.parse(event.time) : NaN;
  if (status === 'SUCCESS' && Number.isFinite(written)) endToEnd.observe({ topic }, Math.max(0, (Date.now() - written) / 1000));
}

/** DROP for an event the subscription refuses unseen (not from a publisher it names), undefined when it may go on. */
function screen(s: Subscription, event: CloudEvent<unknown>, log: SubscriptionLogger): DeliveryOutcome | undefined {
  if (s.publishers.includes(event.source)) return undefined;
  log.warn({ topic: s.topic, eventId: event.id, source: event.source.slice(0, 200), expected: s.publishers }, 'event dropped: not published by the service that owns the topic');
  return 'DROP';
}

/** One event through the handler: PermanentEventError → DROP, any other failure → RETRY. */
async function deliverOne(s: Subscription, event: CloudEvent<unknown>, ctx: Context, log: SubscriptionLogger): Promise<DeliveryOutcome> {
  let status: DeliveryOutcome = 'SUCCESS';
  try {
    await s.handler(event, ctx);
  } catch (err) {
    status = err instanceof PermanentEventError ? 'DROP' : 'RETRY';
    (status === 'DROP' ? log.warn : log.error).call(log, { err, topic: s.topic, eventId: event.id }, `event ${status === 'DROP' ? 'dropped' : 'will be retried'}`);
  }
  log.debug?.({ topic: s.topic, eventId: event.id, status }, 'event delivered');
  return status;
}

interface BulkEntry {
  entryId?: unknown;
  event?: unknown;
}

/** A bulk delivery's envelope (Dapr bulk subscribe): entries, each an entry id and its event; never a CloudEvent. */
function isBulkEnvelope(body: unknown): body is { entries: BulkEntry[] } {
  const b = body as { entries?: unknown; specversion?: unknown } | null;
  return typeof b === 'object' && b !== null && Array.isArray(b.entries) && b.specversion === undefined;
}

/**
 * A batch: each entry is screened as a single delivery would be (not a CloudEvent, not from the publisher, over the
 * size limit: DROP); the accepted events go to the batch handler together, or, when it fails or there is none,
 * through the handler one by one. An entry without an id gets no status: daprd retries what it gets no answer for.
 */
async function deliverBatch(
  s: Subscription,
  entries: BulkEntry[],
  ctx: Context,
  log: SubscriptionLogger,
  /** Set when the batch's body is over one event's limit: only then can an entry be, so only then are they measured. */
  maxEventBytes: number | undefined,
): Promise<{ entryId: string; status: DeliveryOutcome }[]> {
  const statuses: { entryId: string; status: DeliveryOutcome; event?: CloudEvent<unknown> }[] = [];
  const accepted: { entryId: string; event: CloudEvent<unknown> }[] = [];
  for (const entry of entries) {
    if (typeof entry?.entryId !== 'string') continue;
    const event = asCloudEvent(entry.event);
    let status: DeliveryOutcome | undefined;
    if (!event) status = 'DROP';
    else if (maxEventBytes !== undefined && Buffer.byteLength(JSON.stringify(entry.event)) > maxEventBytes) {
      log.warn({ topic: s.topic, eventId: event.id, maxEventBytes }, 'event dropped: over the size limit');
      status = 'DROP';
    } else status = screen(s, event, log);
    if (status) statuses.push({ entryId: entry.entryId, status, event });
    else accepted.push({ entryId: entry.entryId, event: event! });
  }
  let appliedTogether = false;
  if (s.batchHandler && accepted.length > 1) {
    try {
      await s.batchHandler(accepted.map((a) => a.event), ctx);
      appliedTogether = true;
    } catch (err) {
      log.warn({ err, topic: s.topic, events: accepted.length }, 'batch not applied; its events go one by one');
    }
  }
  for (const { entryId, event } of accepted) {
    statuses.push({ entryId, status: appliedTogether ? 'SUCCESS' : await deliverOne(s, event, ctx, log), event });
  }
  for (const { status, event } of statuses) record(s.topic, status, event);
  return statuses.map(({ entryId, status }) => ({ entryId, status }));
}

/** The body as a CloudEvent, or undefined when it is not one (no string id, type and source). */
function asCloudEvent(value: unknown): CloudEvent<unknown> | undefined {
  const e = value as CloudEvent<unknown> | null;
  if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || typeof e.type !== 'string' || typeof e.source !== 'string') return undefined;
  return e;
}

/**
 * The delivery's body parsed as JSON (undefined when it is not JSON) and its size, or 'too-large' when it exceeds `limit`: then
 * nothing is parsed, reading stops at the limit (a declared Content-Length over it is refused before any byte is
 * read) and the connection is closed after the answer, so the rest of the body is never read either.
 */
async function readJsonBody(ctx: Context, limit: number): Promise<{ json: unknown; bytes: number } | 'too-large'> {
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
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { json, bytes: body.length };
}
