import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '@vcd/logging';
import { BatchWorker } from '@vcd/messaging';
import { claimDueMails, markMailFailed, markMailSent } from '../db/mail-outbox.repository.js';
import type { EmailBinding } from './email-binding.js';

/** Exponential backoff for a mail that failed `attempts` times: 1 s, 2 s, 4 s … capped at 5 minutes. */
export const mailRetryDelayMs = (attempts: number) => Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));

/**
 * Sends the mail outbox after commit: `notify()` right after a transaction that enqueued mail, and a poll for
 * retries and anything a crash left behind. Rows are claimed FOR UPDATE SKIP LOCKED, so replicas share the work.
 * Delivery is at-least-once (a crash between sending and marking sends again), never inside a DB transaction
 * of a request.
 */
export class MailRelay extends BatchWorker {
  constructor(
    private readonly deps: { em: EntityManager; binding: EmailBinding; logger: Logger },
    private readonly options: { pollMs?: number; batchSize?: number } = {},
  ) {
    super(options.pollMs ?? 2000, (err) => deps.logger.warn({ err }, 'mail relay: batch failed, will retry'));
  }

  protected processBatch(): Promise<number> {
    return this.sendBatch();
  }

  private sendBatch(): Promise<number> {
    return this.deps.em.fork().transactional(async (tx) => {
      const due = await claimDueMails(tx, this.options.batchSize ?? 20);
      let sent = 0;
      for (const mail of due) {
        try {
          await this.deps.binding.send({ to: mail.to_address, subject: mail.subject, body: mail.body });
          await markMailSent(tx, mail.id);
          sent++;
        } catch (err) {
          const delay = mailRetryDelayMs(mail.attempts + 1);
          await markMailFailed(tx, mail.id, (err as Error).message, delay);
          this.deps.logger.warn({ err, mailId: mail.id, attempts: mail.attempts + 1, retryInMs: delay }, 'mail relay: sending failed');
        }
      }
      return sent;
    });
  }
}
