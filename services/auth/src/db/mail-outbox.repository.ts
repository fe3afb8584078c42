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
