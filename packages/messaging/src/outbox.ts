import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CloudEvent, Sidecar } from '@vcd/dapr';
import type { Logger } from '@vcd/logging';
import { counter, currentTraceparent, inSpanFrom, observedGauge, SpanKind } from '@vcd/telemetry';
import { BatchWorker } from './batch-worker.js';
import { OutboxMessage } from './outbox.entity.js';

/**
 * Adds an event to the outbox of the unit of work `em` belongs to; it commits (or not) with the change. The row
 * keeps the trace context of the code that writes it, so its publication joins that trace.
 */
export function enqueueEvent(em: EntityManager, topic: string, data: Record<string, unknown>): string {
  const id = randomUUID();
  em.create(OutboxMessage, { id, topic, payload: data, createdAt: new Date(), attempts: 0, traceContext: currentTraceparent() ?? null });
  return id;
}

const published = counter('outbox_published_total', 'Outbox events published to the pub/sub component, by topic', ['topic']);
const publishFailures = counter('outbox_publish_failures_total', 'Failed attempts to publish an outbox event (retried), by topic', ['topic']);

interface OutboxRow {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  created_at: Date;
  trace_context: string | null;
}

export interface OutboxRelayOptions {
  pollMs?: number;
  batchSize?: number;
  /**
   * How long a claimed row is this relay's (default 60 s): longer than a publish can take (daprd calls time out
   * after 30 s). A row whose lease expired unpublished (its relay crashed or hung) is claimed again by any relay.
   */
  leaseMs?: number;
  /**
   * Retention (ADR 15): published outbox rows older than `outboxMs` and inbox rows older than `inboxMs` are deleted,
   * checked at most every `sweepEveryMs` by the relay's periodic work (default: 7 days, hourly). Unpublished rows are
   * never deleted.
   */
  retention?: { outboxMs?: number; inboxMs?: number; sweepEveryMs?: number };
}

const DAY_MS = 86_400_000;
/** Rows deleted per statement of a sweep (short statements; a sweep runs several until none are left). */
const SWEEP_CHUNK = 5000;
const pruned = counter('messaging_rows_pruned_total', 'Outbox, inbox and mail outbox rows deleted by retention, by table', ['table']);

/** Deletes, in chunks of short statements, the rows of `table` that `where` selects; returns how many went. */
export async function pruneRows(em: EntityManager, table: string, where: string, params: unknown[], maxChunks = 100): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxChunks; i++) {
    const rows = (await em.fork().execute(`delete from ${table} where ctid = any(array(select ctid from ${table} where ${where} limit ${SWEEP_CHUNK})) returning 1 as x`, params)) as unknown[];
    total += rows.length;
    if (rows.length < SWEEP_CHUNK) break;
  }
  if (total > 0) pruned.inc({ table }, total);
  return total;
}

/**
 * Publishes outbox rows through the Dapr sidecar, never holding a transaction or a row lock across a network call
 * (ADR 15): one short statement claims a batch (a lease: `lease_until`, `lease_owner`; FOR UPDATE SKIP LOCKED so
 * concurrent relays claim disjoint rows) and commits; the events are published with no transaction open; another
 * short statement marks them published (or records the failure and frees the lease). A relay that dies holding a
 * lease delays its rows by the lease at most; they are claimed again once it expires. Delivery stays at least once
 * (consumers are idempotent by event id). `notify()` after a commit publishes at once; a poll catches the rest.
 */
export class OutboxRelay extends BatchWorker {
  /** Who holds a lease: this relay (the service, host, process and instance), for operators reading the table. */
  readonly owner: string;

  constructor(
    private readonly deps: { em: EntityManager; sidecar: Sidecar; source: string; logger: Logger },
    private readonly options: OutboxRelayOptions = {},
  ) {
    super(options.pollMs ?? 1000, (err) => deps.logger.warn({ err }, 'outbox relay: batch failed, will retry'));
    this.owner = `${deps.source}@${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`.slice(0, 128);
    // Backlog and the age of the oldest unpublished event, read at each scrape in one query (the partial index makes
    // it cheap) that both gauges share, so they always describe the same moment.
    let reading: { at: number; value: Promise<{ n: number; age: number }> } | undefined;
    const backlog = () => {
      if (!reading || Date.now() - reading.at > 1000) {
        const value = deps.em
          .fork()
          .execute(`select count(*)::int as n, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as age from outbox where published_at is null`)
          .then((rows) => ((rows as { n: number; age: number }[])[0] ?? { n: 0, age: 0 }));
        reading = { at: Date.now(), value };
      }
      return reading.value;
    };
    observedGauge('outbox_unpublished_events', 'Outbox events not yet published', [], async (set) => set({}, (await backlog()).n));
    observedGauge('outbox_oldest_unpublished_age_seconds', 'Age of the oldest outbox event not yet published (0: none)', [], async (set) => set({}, (await backlog()).age));
  }

  private lastSweep = 0;

  /**
   * Retention: deletes published outbox rows and inbox rows older than their age (never an unpublished row).
   * Runs from the relay's periodic work at most every `sweepEveryMs`; callable directly (tests, operators).
   */
  async sweep(): Promise<{ outbox: number; inbox: number }> {
    const r = this.options.retention ?? {};
    const em = this.deps.em;
    const outbox = await pruneRows(em, 'outbox', `published_at is not null and published_at < now() - (? * interval '1 millisecond')`, [r.outboxMs ?? 7 * DAY_MS]);
    const inbox = await pruneRows(em, 'inbox', `received_at < now() - (? * interval '1 millisecond')`, [r.inboxMs ?? 7 * DAY_MS]);
    if (outbox + inbox > 0) this.deps.logger.info({ outbox, inbox }, 'outbox relay: retention deleted old rows');
    return { outbox, inbox };
  }

  private async sweepWhenDue(): Promise<void> {
    if (Date.now() - this.lastSweep < (this.options.retention?.sweepEveryMs ?? 3_600_000)) return;
    this.lastSweep = Date.now();
    try {
      await this.sweep();
    } catch (err) {
      this.deps.logger.warn({ err }, 'outbox relay: retention sweep failed, will retry at the next one');
    }
  }

  protected async processBatch(): Promise<number> {
    await this.sweepWhenDue();
    const batchSize = this.options.batchSize ?? 50;
    const rows = await this.claim(
      `select id from outbox where published_at is null and (lease_until is null or lease_until < now())
       order by created_at limit ? for update skip locked`,
      [batchSize],
    );
    const { sent, failed } = await this.publish(rows);
    // A failure stops this drain; the next poll retries. So does a batch that was not full: the claim found every row
    // committed before it, and a commit after it called notify(), which drains again (no empty claim per drain).
    return failed > 0 || rows.length < batchSize ? 0 : sent;
  }

  /**
   * Publishes these committed events now, ahead of the queue (urgent events: the gateway must hear session.revoked
   * within a second). Rows already published or leased by a relay are left to it. Never throws.
   */
  async publishNow(eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    try {
      const rows = await this.claim(
        `select id from outbox where id in (${eventIds.map(() => '?').join(', ')}) and published_at is null
         and (lease_until is null or lease_until < now()) for update skip locked`,
        eventIds,
      );
      await this.publish(rows);
    } catch (err) {
      this.deps.logger.warn({ err, eventIds }, 'outbox relay: immediate publish failed; the relay will publish it');
    }
  }

  /** One autocommitted statement: leases the rows `select` picks (with FOR UPDATE SKIP LOCKED) to this relay. */
  private async claim(select: string, params: unknown[]): Promise<OutboxRow[]> {
    return (await this.deps.em.fork().execute(
      `with picked as (${select})
       update outbox o set lease_until = now() + (? * interval '1 millisecond'), lease_owner = ?
       from picked where o.id = picked.id
       returning o.id, o.topic, o.payload, o.created_at, o.trace_context`,
      [...params, this.options.leaseMs ?? 60_000, this.owner],
    )) as OutboxRow[];
  }

  /** Publishes claimed rows concurrently with no transaction open, then marks them in short statements. */
  private async publish(rows: OutboxRow[]): Promise<{ sent: number; failed: number }> {
    if (rows.length === 0) return { sent: 0, failed: 0 };
    // One batch is published concurrently (consumers do not rely on order: they run 32 deliveries at once).
    const outcomes = await Promise.allSettled(
      rows.map((row) =>
        // A producer span in the trace of the transaction that wrote the row; the call to daprd carries it, and
        // daprd writes it into the CloudEvent (traceparent), which the consumer's sidecar continues.
        inSpanFrom(row.trace_context, `${row.topic} publish`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'dapr', 'messaging.destination.name': row.topic, 'messaging.message.id': row.id } }, () =>
          this.deps.sidecar.publishCloudEvent(row.topic, {
            specversion: '1.0',
            id: row.id,
            source: this.deps.source,
            type: row.topic,
            datacontenttype: 'application/json',
            time: new Date(row.created_at).toISOString(),
            data: row.payload,
          } satisfies CloudEvent),
        ),
      ),
    );
    const em = this.deps.em.fork();
    const sent = rows.filter((_, i) => outcomes[i]!.status === 'fulfilled').map((r) => r.id);
    for (const [i, row] of rows.entries()) (outcomes[i]!.status === 'fulfilled' ? published : publishFailures).inc({ topic: row.topic });
    if (sent.length > 0) {
      // Published, whoever holds the lease now (a relay that took an expired lease over may have published it too).
      await em.execute(
        `update outbox set published_at = now(), attempts = attempts + 1, lease_until = null, lease_owner = null
         where id in (${sent.map(() => '?').join(', ')}) and published_at is null`,
        sent,
      );
    }
    let failed = 0;
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') continue;
      failed++;
      const row = rows[i]!;
      const err = outcome.reason as Error;
      // The lease is freed only if it is still ours: the next poll (of any relay) retries.
      await em.execute(
        `update outbox set attempts = attempts + 1, last_error = ?,
           lease_until = case when lease_owner = ? then null else lease_until end,
           lease_owner = case when lease_owner = ? then null else lease_owner end
         where id = ? and published_at is null`,
        [String(err?.message).slice(0, 2000), this.owner, this.owner, row.id],
      );
      this.deps.logger.warn({ err, eventId: row.id, topic: row.topic }, 'outbox relay: publish failed');
    }
    return { sent: sent.length, failed };
  }
}
