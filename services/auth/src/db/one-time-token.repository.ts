import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newOpaqueToken } from '../domain/opaque-token.js';
import { OneTimeToken, type TokenPurpose } from './account.entity.js';

/**
 * Issues a single-use token (256 bits from the CSPRNG; only its SHA-256 is stored) in the caller's transaction,
 * retiring the account's earlier unused tokens of the same purpose unless `keepEarlier` (reset links: anyone can
 * ask for one, and a new request must not spoil the link the owner is about to follow; redeeming one retires
 * them all). Returns the token for the mail.
 */
export async function issueOneTimeToken(
  tx: EntityManager,
  accountId: string,
  purpose: TokenPurpose,
  ttlMinutes: number,
  options: { keepEarlier?: boolean } = {},
): Promise<string> {
  if (!options.keepEarlier) {
    await tx.execute(`update one_time_token set used_at = now() where account_id = ? and purpose = ? and used_at is null`, [accountId, purpose]);
  }
  const { token, hash } = newOpaqueToken();
  tx.create(OneTimeToken, {
    id: randomUUID(),
    tokenHash: hash,
    accountId,
    purpose,
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + ttlMinutes * 60_000),
  });
  return token;
}

/**
 * Redeems a token in the caller's transaction: one atomic UPDATE … WHERE used_at IS NULL RETURNING, so of two
 * concurrent redemptions exactly one gets the row (the other waits on its lock, then finds it used).
 * Returns the account id, or undefined for an unknown, used or expired token.
 */
export async function redeemOneTimeToken(tx: EntityManager, tokenHash: string, purpose: TokenPurpose): Promise<string | undefined> {
  const [row] = (await tx.execute(
    `update one_time_token set used_at = now() where token_hash = ? and purpose = ? and used_at is null and expires_at > now() returning account_id`,
    [tokenHash, purpose],
  )) as { account_id: string }[];
  return row?.account_id;
}

/** The account a token would redeem for, without redeeming it (to check a new password against the account first). */
export async function peekOneTimeToken(em: EntityManager, tokenHash: string, purpose: TokenPurpose): Promise<string | undefined> {
  const [row] = (await em.execute(
    `select account_id from one_time_token where token_hash = ? and purpose = ? and used_at is null and expires_at > now()`,
    [tokenHash, purpose],
  )) as { account_id: string }[];
  return row?.account_id;
}

/** Retires every unused token of the account for `purpose` (after one was redeemed). */
export async function retireOneTimeTokens(tx: EntityManager, accountId: string, purpose: TokenPurpose): Promise<void> {
  await tx.execute(`update one_time_token set used_at = now() where account_id = ? and purpose = ? and used_at is null`, [accountId, purpose]);
}
