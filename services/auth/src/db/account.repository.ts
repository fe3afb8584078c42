import { randomUUID } from 'node:crypto';
import { sql, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Account } from './account.entity.js';

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
 * Creates the account (identity version 1) in the caller's transaction. With `emailTaken`, the account only claims
 * the address: it can log in with it, but never receives mail for it.
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
    version: 1,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await tx.flush(); // sessions and tokens reference the row (plain FK columns)
  return account;
}

/**
 * Applies a change of username, e-mail address or password hash in the caller's transaction. An address is either
 * owned (login, mail; verified again) or, when another account owns it, only claimed (as at sign-up: it logs in with
 * it and shows it, but never receives mail for it). When the username or the shown address changed, the account's
 * identity version goes up by one (under the row's lock, so concurrent changes get distinct versions) and is
 * returned; otherwise `identityVersion` is undefined.
 */
export async function updateAccount(
  tx: EntityManager,
  account: AccountRecord,
  change: { username?: string; email?: { address: string; owned: boolean }; passwordHash?: string },
): Promise<{ identityVersion?: number }> {
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
  await tx.flush();
  if (!identityChanged) return {};
  const [row] = (await tx.execute(`update account set version = version + 1 where id = ? returning version`, [account.id])) as { version: number }[];
  return { identityVersion: row!.version };
}

/** Sets the password hash (and, with `verifyEmail`, marks the owned address verified); returns the address and name. */
export async function setPassword(tx: EntityManager, accountId: string, passwordHash: string, options: { verifyEmail: boolean }) {
  const verified = options.verifyEmail ? ', email_verified_at = coalesce(email_verified_at, now())' : '';
  const [row] = (await tx.execute(`update account set password_hash = ?${verified}, updated_at = now() where id = ? returning email, username`, [
    passwordHash,
    accountId,
  ])) as { email: string | null; username: string }[];
  return row;
}

/** Marks the owned address verified (a redeemed verification link). */
export async function markEmailVerified(tx: EntityManager, accountId: string): Promise<void> {
  await tx.execute(`update account set email_verified_at = coalesce(email_verified_at, now()), updated_at = now() where id = ?`, [accountId]);
}
