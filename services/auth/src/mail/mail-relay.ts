import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '@vcd/logging';
import { BatchWorker, pruneRows } from '@vcd/messaging';
import type { EmailBinding } from './email-binding.js';

/** Exponential backoff for a mail that failed `attempts` times: 1 s, 2 s, 4 s … capped at 5 minutes. */
export const mailRetryDelayMs = (attempts: number) => Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));

interface ClaimedMail {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  attempts: number;
}

/**
 * Sends the mail outbox after commit: `notify()` right after a transaction that enqueued mail, and a poll for
 * retries and anything a crash left behind. Like the outbox relay (ADR 15), it never holds a transaction or a row
 * lock while it talks to the SMTP binding: one short statement leases a batch of due mails to this relay (FOR
 * UPDATE SKIP LOCKED, so replicas claim disjoint rows), the mails are sent one by one with no transaction open, and each is
 * then marked sent (its body dropped: it may hold a token link) or failed (retried with backoff) in a short
 * statement. A mail whose lease expired unsent (its relay died) is claimed again. Delivery is at least once.
 * Sent mails older than `retentionMs` (default 7 days) are deleted by the relay's periodic work; unsent ones stay.
 */
export class MailRelay extends BatchWorker {
  readonly owner = `auth-mail@${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly deps: { em: EntityManager; binding: EmailBinding; logger: Logger },
    /**
     * leaseMs: how long a claimed batch is this relay's (default 2 minutes: longer than the binding's timeout);
     * retentionMs: how long sent rows are kept (default 7 days), checked at most every sweepEveryMs (default 1 h).
     */
    private readonly options: { pollMs?: number; batchSize?: number; leaseMs?: number; retentionMs?: number; sweepEveryMs?: number } = {},
  ) {
    super(options.pollMs ?? 2000, (err) => deps.logger.warn({ err }, 'mail relay: batch failed, will retry'));
  }

  private lastSweep = 0;

  /** Retention: deletes mails sent longer than `retentionMs` ago (never an unsent one). */
  async sweep(): Promise<number> {
    const deleted = await pruneRows(this.deps.em, 'mail_outbox', `sent_at is not null and sent_at < now() - (? * interval '1 millisecond')`, [
      this.options.retentionMs ?? 7 * 86_400_000,
    ]);
    if (deleted > 0) this.deps.logger.info({ deleted }, 'mail relay: retention deleted sent mails');
    return deleted;
  }

  protected async processBatch(): Promise<number> {
    if (Date.now() - this.lastSweep >= (this.options.sweepEveryMs ?? 3_600_000)) {
      this.lastSweep = Date.now();
      await this.sweep().catch((err: unknown) => this.deps.logger.warn({ err }, 'mail relay: retention sweep failed, will retry at the next one'));
    }
    const em = this.deps.em.fork();
    const due = (await em.execute(
      `with picked as (
         select id from mail_outbox where sent_at is null and next_attempt_at <= now() and (lease_until is null or lease_until < now())
         order by next_attempt_at limit ? for update skip locked)
       update mail_outbox m set lease_until = now() + (? * interval '1 millisecond'), lease_owner = ?
       from picked where m.id = picked.id
       returning m.id, m.to_address, m.subject, m.body, m.attempts`,
      [this.options.batchSize ?? 20, this.options.leaseMs ?? 120_000, this.owner],
    )) as ClaimedMail[];
    // One mail at a time, never two at once through the sidecar: Dapr's SMTP binding (components-contrib 1.18.4,
    // bindings/smtp) merges each request's recipient and subject into the component's one shared metadata, so two
    // concurrent sends can swap them: a mail, password-reset link included, to someone else's address (seen in CI:
    // "Someone tried to use your address" arrived as another user's "Your e-mail address was changed"). Our daprd
    // is patched (ADR 8); this keeps a daprd without the patch (DAPRD_PATH, an official image) safe too.
    const outcomes: PromiseSettledResult<void>[] = [];
    for (const mail of due) {
      outcomes.push(
        await this.deps.binding.send({ to: mail.to_address, subject: mail.subject, body: mail.body }).then(
          (value) => ({ status: 'fulfilled', value }) as const,
          (reason: unknown) => ({ status: 'rejected', reason }) as const,
        ),
      );
    }
    let sent = 0;
    for (const [i, outcome] of outcomes.entries()) {
      const mail = due[i]!;
      if (outcome.status === 'fulfilled') {
        sent++;
        await em.execute(
          `update mail_outbox set sent_at = now(), body = null, attempts = attempts + 1, last_error = null, lease_until = null, lease_owner = null
           where id = ? and sent_at is null`,
          [mail.id],
        );
        continue;
      }
      const err = outcome.reason as Error;
      const delay = mailRetryDelayMs(mail.attempts + 1);
      await em.execute(
        `update mail_outbox set attempts = attempts + 1, last_error = ?, next_attempt_at = now() + (? * interval '1 millisecond'),
           lease_until = null, lease_owner = null
         where id = ? and sent_at is null`,
        [String(err?.message).slice(0, 2000), delay, mail.id],
      );
      this.deps.logger.warn({ err, mailId: mail.id, attempts: mail.attempts + 1, retryInMs: delay }, 'mail relay: sending failed');
    }
    return sent;
  }
}
