import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueEvent } from '@vcd/messaging';
import { Account, Session } from './account.entity.js';

export const findAccountByEmail = (em: EntityManager, email: string) =>
  em.findOne(Account, { email: { $ilike: email.replace(/[\\%_]/g, (c) => `\\${c}`) } });

export const findAccountById = (em: EntityManager, id: string) => em.findOne(Account, { id });

export async function takenFields(em: EntityManager, email: string, username: string): Promise<{ email: boolean; username: boolean }> {
  const rows = (await em
    .getConnection()
    .execute(`select lower(email) = lower(?) as email, lower(username) = lower(?) as username from account where lower(email) = lower(?) or lower(username) = lower(?)`, [
      email,
      username,
      email,
      username,
    ])) as { email: boolean; username: boolean }[];
  return { email: rows.some((r) => r.email), username: rows.some((r) => r.username) };
}

/** Creates the account, its first session and the user.registered event in one transaction. */
export async function createAccountWithSession(
  em: EntityManager,
  input: { email: string; username: string; passwordHash: string; refreshTokenHash: string; sessionExpiresAt: Date; userAgent?: string },
) {
  return em.transactional(async (tx) => {
    const account = tx.create(Account, {
      id: randomUUID(),
      email: input.email,
      username: input.username,
      passwordHash: input.passwordHash,
      role: 'user',
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await tx.flush(); // the session row references the account row (a plain FK column, not an ORM relation)
    const session = tx.create(Session, {
      id: randomUUID(),
      accountId: account.id,
      refreshTokenHash: input.refreshTokenHash,
      userAgent: input.userAgent ?? null,
      createdAt: new Date(),
      lastUsedAt: new Date(),
      expiresAt: input.sessionExpiresAt,
    });
    enqueueEvent(tx, 'user.registered', { userId: account.id, username: account.username, email: account.email });
    return { account, session };
  });
}

export async function createSession(em: EntityManager, accountId: string, refreshTokenHash: string, expiresAt: Date, userAgent?: string) {
  const session = em.create(Session, {
    id: randomUUID(),
    accountId,
    refreshTokenHash,
    userAgent: userAgent ?? null,
    createdAt: new Date(),
    lastUsedAt: new Date(),
    expiresAt,
  });
  await em.flush();
  return session;
}
