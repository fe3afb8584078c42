import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CloudEvent, Sidecar } from '@vcd/dapr';
import type { Logger } from '@vcd/logging';
import { BatchWorker } from './batch-worker.js';
import { OutboxMessage } from './outbox.entity.js';

/** Adds an event to the outbox of the unit of work `em` belongs to; it commits (or not) with the change. */
export function enqueueEvent(em: EntityManager, topic: string, data: Record<string, unknown>): string {
  const id = randomUUID();
  em.create(OutboxMessage, { id, topic, payload: data, createdAt: new Date(), attempts: 0 });
  return id;
}

interface OutboxRow {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  created_at: Date;
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
  }

  protected processBatch(): Promise<number> {
    return this.publishBatch();
  }

  private async publishBatch(): Promise<number> {
    const em = this.deps.em.fork();
    return em.transactional(async (tx) => {
      // tx.execute runs inside this transaction, so the row locks hold until commit.
      const rows = (await tx.execute(
        `select id, topic, payload, created_at from outbox where published_at is null order by created_at limit ? for update skip locked`,
        [this.options.batchSize ?? 50],
      )) as OutboxRow[];
      // One batch is published concurrently (consumers do not rely on order: they run 32 deliveries at once),
      // then marked in one statement.
      const outcomes = await Promise.allSettled(
        rows.map((row) =>
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
      );
      const sent = rows.filter((_, i) => outcomes[i]!.status === 'fulfilled').map((r) => r.id);
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
