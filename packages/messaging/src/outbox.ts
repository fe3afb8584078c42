import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CloudEvent, Sidecar } from '@vcd/dapr';
import type { Logger } from '@vcd/logging';
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
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: { em: EntityManager; sidecar: Sidecar; source: string; logger: Logger },
    private readonly options: { pollMs?: number; batchSize?: number } = {},
  ) {}

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.notify();
      this.timer = setTimeout(tick, this.options.pollMs ?? 1000);
      this.timer.unref();
    };
    tick();
  }

  /** Publish pending rows now (call after committing a transaction that enqueued events). */
  notify(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.idle = this.drain().finally(() => {
      this.running = false;
      if (this.again && !this.stopped) {
        this.again = false;
        this.notify();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle;
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.publishBatch()) > 0) {
        /* keep going while there is work */
      }
    } catch (err) {
      this.deps.logger.warn({ err }, 'outbox relay: batch failed, will retry');
    }
  }

  private async publishBatch(): Promise<number> {
    const em = this.deps.em.fork();
    return em.transactional(async (tx) => {
      // tx.execute runs inside this transaction, so the row locks hold until commit.
      const rows = (await tx.execute(
        `select id, topic, payload, created_at from outbox where published_at is null order by created_at limit ? for update skip locked`,
        [this.options.batchSize ?? 50],
      )) as OutboxRow[];
      let published = 0;
      for (const row of rows) {
        const event: CloudEvent = {
          specversion: '1.0',
          id: row.id,
          source: this.deps.source,
          type: row.topic,
          datacontenttype: 'application/json',
          time: new Date(row.created_at).toISOString(),
          data: row.payload,
        };
        try {
          await this.deps.sidecar.publishCloudEvent(row.topic, event);
          await tx.execute(`update outbox set published_at = now(), attempts = attempts + 1 where id = ?`, [row.id]);
          published++;
        } catch (err) {
          await tx.execute(`update outbox set attempts = attempts + 1, last_error = ? where id = ?`, [String((err as Error).message).slice(0, 2000), row.id]);
          this.deps.logger.warn({ err, eventId: row.id, topic: row.topic }, 'outbox relay: publish failed');
          return 0; // stop this drain; the next poll retries
        }
      }
      return published;
    });
  }
}
