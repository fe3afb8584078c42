import { randomUUID } from 'node:crypto';
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

/**
 * Publishes outbox rows through the Dapr sidecar. Rows are claimed with FOR UPDATE SKIP LOCKED, so several
 * replicas can relay at once without publishing a row twice in the normal case (consumers are idempotent for
 * the rest). `notify()` after a commit publishes at once; a poll catches anything left behind.
 */
export class OutboxRelay extends BatchWorker {
  constructor(
    private readonly deps: { em: EntityManager; sidecar: Sidecar; source: string; logger: Logger },
    private readonly options: { pollMs?: number; batchSize?: number } = {},
  ) {
    super(options.pollMs ?? 1000, (err) => deps.logger.warn({ err }, 'outbox relay: batch failed, will retry'));
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

  protected processBatch(): Promise<number> {
    return this.publishBatch();
  }

  private async publishBatch(): Promise<number> {
    const em = this.deps.em.fork();
    return em.transactional(async (tx) => {
      // tx.execute runs inside this transaction, so the row locks hold until commit.
      const rows = (await tx.execute(
        `select id, topic, payload, created_at, trace_context from outbox where published_at is null order by created_at limit ? for update skip locked`,
        [this.options.batchSize ?? 50],
      )) as OutboxRow[];
      // One batch is published concurrently (consumers do not rely on order: they run 32 deliveries at once),
      // then marked in one statement.
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
      const sent = rows.filter((_, i) => outcomes[i]!.status === 'fulfilled').map((r) => r.id);
      for (const [i, row] of rows.entries()) (outcomes[i]!.status === 'fulfilled' ? published : publishFailures).inc({ topic: row.topic });
      if (sent.length > 0) {
        await tx.execute(`update outbox set published_at = now(), attempts = attempts + 1 where id in (${sent.map(() => '?').join(', ')})`, sent);
      }
      let failed = 0;
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') continue;
        failed++;
        const row = rows[i]!;
        const err = outcome.reason as Error;
        await tx.execute(`update outbox set attempts = attempts + 1, last_error = ? where id = ?`, [String(err?.message).slice(0, 2000), row.id]);
        this.deps.logger.warn({ err, eventId: row.id, topic: row.topic }, 'outbox relay: publish failed');
      }
      // A failure stops this drain; the next poll retries.
      return failed > 0 ? 0 : sent.length;
    });
  }
}
