import { randomUUID } from 'node:crypto';
import { sql, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueEvent } from '@vcd/messaging';
import type { MailMessage } from '../domain/mail-messages.js';
import { Account } from './account.entity.js';
import { enqueueMail } from './mail-outbox.repository.js';

export type AccountRecord = InferEntity<typeof Account>;

/** The account that owns an address (login, reset). */
export const findAccountByEmail = (em: EntityManager, email: string) => em.findOne(Account, { [sql.lower('email')]: email.toLowerCase() });

export const findAccountById = (em: EntityManager, id: string) => em.findOne(Account, { id });

export const findAccountByUsername = (em: EntityManager, username: string) =>
  em.findOne(Account, { [sql.lower('username')]: username.toLowerCase() });

/** Accounts that typed `email` at sign-up while another account owned it (newest first, bounded). */
export const findClaimsOfEmail = (em: EntityManager, email: string, limit: number) =>
  em.find(Account, { [sql.lower('claimed_email')]: email.toLowerCase(), email: null }, { orderBy: { createdAt: 'desc' }, limit });

export async function takenFields(em: EntityManager, email: string, username: string): Promise<{ email: boolean; username: boolean }> {
  const rows = (await em.execute(
    `select lower(email) = lower(?) as email, lower(username) = lower(?) as username from account where lower(email) = lower(?) or lower(username) = lower(?)`,
    [email, username, email, username],
  )) as { email: boolean | null; username: boolean }[];
  return { email: rows.some((r) => r.email === true), username: rows.some((r) => r.username) };
}

/** The address an account shows as its own: the one it owns, or the one it typed when that was taken. */
export const displayEmail = (account: Pick<AccountRecord, 'email' | 'claimedEmail'>) => account.email ?? account.claimedEmail ?? '';

/**
 * Creates the account and the user.registered event in the unit of work of `tx` (the caller's transaction).
 * With `emailTaken`, the account only claims the address: it can log in with it, but never receives mail for it.
 */
export async function insertAccount(
  tx: EntityManager,
  input: { email: string; username: string; passwordHash: string; emailTaken: boolean },
): Promise<AccountRecord> {
  const account = tx.create(Account, {
    id: randomUUID(),
    email: input.emailTaken ? null : input.email,
    claimedEmail: input.emailTaken ? input.email : null,
    username: input.username,
    passwordHash: input.passwordHash,
    role: 'user',
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await tx.flush(); // sessions and tokens reference the row (plain FK columns)
  enqueueEvent(tx, 'user.registered', { userId: account.id, username: account.username, email: input.email });
  return account;
}

/**
 * Applies a change of username, e-mail address or password hash, and its events and mails, in the unit of work of
 * `tx`. An address is either owned (login, mail; verified again) or, when another account owns it, only claimed
 * (as at sign-up: it logs in with it and shows it, but never receives mail for it).
 */
export async function updateAccount(
  tx: EntityManager,
  account: AccountRecord,
  change: { username?: string; email?: { address: string; owned: boolean }; passwordHash?: string },
  mails: MailMessage[] = [],
): Promise<{ identityChanged: boolean }> {
  const before = { username: account.username, email: displayEmail(account) };
  if (change.username !== undefined) account.username = change.username;
  if (change.email !== undefined) {
    account.email = change.email.owned ? change.email.address : null;
    account.claimedEmail = change.email.owned ? null : change.email.address;
    account.emailVerifiedAt = null;
  }
  if (change.passwordHash !== undefined) account.passwordHash = change.passwordHash;
  account.updatedAt = new Date();
  const identityChanged = account.username !== before.username || displayEmail(account) !== before.email;
  if (identityChanged) enqueueEvent(tx, 'user.updated', { userId: account.id, username: account.username, email: displayEmail(account) });
  for (const mail of mails) enqueueMail(tx, mail);
  await tx.flush();
  return { identityChanged };
}
