import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueEvent } from '@vcd/messaging';
import { RefreshToken, Session } from './account.entity.js';

export type RevocationReason = 'logout' | 'logout_all' | 'revoked' | 'password_change' | 'password_reset' | 'refresh_token_reuse';

/**
 * Starts a session with its first refresh token: one statement (so one round trip, and atomic on its own), inside
 * `em`'s transaction when there is one.
 */
export async function insertSession(
  em: EntityManager,
  input: { accountId: string; refreshTokenHash: string; expiresAt: Date; userAgent?: string },
): Promise<{ id: string }> {
  const id = randomUUID();
  const now = new Date();
  await em.execute(
    `with s as (insert into session (id, account_id, user_agent, created_at, last_used_at, expires_at) values (?, ?, ?, ?, ?, ?) returning id)
     insert into refresh_token (token_hash, session_id, issued_at) select ?, s.id, ? from s`,
    [id, input.accountId, input.userAgent?.slice(0, 512) ?? null, now, now, input.expiresAt, input.refreshTokenHash, now],
  );
  return { id };
}

export type RotationResult =
  | { kind: 'rotated'; sessionId: string; accountId: string }
  | { kind: 'inactive' }
  | { kind: 'reused'; sessionId: string; accountId: string; eventId?: string }
  | { kind: 'unknown' };

/**
 * Uses a refresh token once: marks it rotated (atomically, so two concurrent uses cannot both win) and adds its
 * successor to the same session. A token that was already rotated is a reuse, i.e. a stolen copy somewhere:
 * the whole session (the token family) is revoked, with a session.revoked event, in the same transaction.
 */
export function rotateRefreshToken(em: EntityManager, oldHash: string, newHash: string): Promise<RotationResult> {
  return em.transactional(async (tx) => {
    const [used] = (await tx.execute(
      `update refresh_token set rotated_at = now() where token_hash = ? and rotated_at is null returning session_id`,
      [oldHash],
    )) as { session_id: string }[];
    if (used) {
      const [active] = (await tx.execute(
        `update session set last_used_at = now() where id = ? and revoked_at is null and expires_at > now() returning account_id`,
        [used.session_id],
      )) as { account_id: string }[];
      if (!active) return { kind: 'inactive' };
      tx.create(RefreshToken, { tokenHash: newHash, sessionId: used.session_id, issuedAt: new Date() });
      await tx.flush();
      return { kind: 'rotated', sessionId: used.session_id, accountId: active.account_id };
    }
    const [known] = (await tx.execute(
      `select r.session_id, s.account_id from refresh_token r join session s on s.id = r.session_id where r.token_hash = ?`,
      [oldHash],
    )) as { session_id: string; account_id: string }[];
    if (!known) return { kind: 'unknown' };
    const { eventId } = await revokeSessions(tx, known.account_id, { sessionId: known.session_id }, 'refresh_token_reuse');
    return { kind: 'reused', sessionId: known.session_id, accountId: known.account_id, eventId };
  });
}

/**
 * Revokes the account's active sessions (one, all, or all but one) and enqueues session.revoked for the ones
 * that were still active, in the caller's transaction. Returns their ids.
 */
export async function revokeSessions(
  tx: EntityManager,
  accountId: string,
  which: { sessionId?: string; exceptSessionId?: string },
  reason: RevocationReason,
): Promise<{ sessionIds: string[]; eventId?: string }> {
  const params: unknown[] = [reason, accountId];
  let filter = '';
  if (which.sessionId) {
    filter += ' and id = ?';
    params.push(which.sessionId);
  }
  if (which.exceptSessionId) {
    filter += ' and id <> ?';
    params.push(which.exceptSessionId);
  }
  const rows = (await tx.execute(
    `update session set revoked_at = now(), revoked_reason = ? where account_id = ? and revoked_at is null${filter} returning id`,
    params,
  )) as { id: string }[];
  const sessionIds = rows.map((r) => r.id);
  if (sessionIds.length === 0) return { sessionIds };
  return { sessionIds, eventId: enqueueEvent(tx, 'session.revoked', { userId: accountId, sessionIds, reason }) };
}

export const listActiveSessions = (em: EntityManager, accountId: string) =>
  em.find(Session, { accountId, revokedAt: null, expiresAt: { $gt: new Date() } }, { orderBy: { lastUsedAt: 'desc' } });

export interface SessionStatus {
  revoked: boolean;
  expired: boolean;
  accountId: string;
  username: string;
  role: string;
}

/** What ValidateToken answers from: the session and the account's current name and role, in one query. */
export async function sessionStatus(em: EntityManager, sessionId: string): Promise<SessionStatus | undefined> {
  const [row] = (await em.execute(
    `select s.revoked_at is not null as revoked, s.expires_at <= now() as expired, a.id as account_id, a.username, a.role
     from session s join account a on a.id = s.account_id where s.id = ?`,
    [sessionId],
  )) as { revoked: boolean; expired: boolean; account_id: string; username: string; role: string }[];
  return row && { revoked: row.revoked, expired: row.expired, accountId: row.account_id, username: row.username, role: row.role };
}
