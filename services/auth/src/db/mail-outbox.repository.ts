import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailMessage } from '../domain/mail-messages.js';
import { OutgoingMail } from './account.entity.js';

/** Adds a mail to the unit of work of `em`: it is sent only if the transaction commits, and after it does. */
export function enqueueMail(em: EntityManager, mail: MailMessage): void {
  em.create(OutgoingMail, {
    id: randomUUID(),
    toAddress: mail.to,
    subject: mail.subject,
    body: mail.text,
    createdAt: new Date(),
    nextAttemptAt: new Date(),
    attempts: 0,
  });
}

export interface PendingMail {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  attempts: number;
}

/**
 * Claims up to `limit` due mails for the transaction of `tx` (FOR UPDATE SKIP LOCKED: replicas never send the
 * same row at once).
 */
export const claimDueMails = (tx: EntityManager, limit: number) =>
  tx.execute(
    `select id, to_address, subject, body, attempts from mail_outbox where sent_at is null and next_attempt_at <= now()
     order by next_attempt_at limit ? for update skip locked`,
    [limit],
  ) as Promise<PendingMail[]>;

/** Sent: the body (it may hold a token link) is not kept. */
export const markMailSent = (tx: EntityManager, id: string) =>
  tx.execute(`update mail_outbox set sent_at = now(), body = null, attempts = attempts + 1, last_error = null where id = ?`, [id]);

export const markMailFailed = (tx: EntityManager, id: string, error: string, retryInMs: number) =>
  tx.execute(
    `update mail_outbox set attempts = attempts + 1, last_error = ?, next_attempt_at = now() + (? * interval '1 millisecond') where id = ?`,
    [error.slice(0, 2000), retryInMs, id],
  );
