import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RefreshToken, Session } from './account.entity.js';

/** Sessions end after this long unused; their last use is written at most every `touchSeconds`. */
export interface SessionPolicy {
  idleSeconds: number;
  touchSeconds: number;
}

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
  | { kind: 'spent'; sessionId: string; accountId: string }
  | { kind: 'unknown' };

/**
 * Uses a refresh token once, in the caller's transaction: marks it rotated (atomically, so two concurrent uses
 * cannot both win) and adds its successor to the same session when the session is still alive. A token that was
 * rotated already is `spent` (what to do about it is the caller's rule).
 */
export async function rotateRefreshToken(tx: EntityManager, oldHash: string, newHash: string, policy: SessionPolicy): Promise<RotationResult> {
  const [used] = (await tx.execute(
    `update refresh_token set rotated_at = now() where token_hash = ? and rotated_at is null returning session_id`,
    [oldHash],
  )) as { session_id: string }[];
  if (used) {
    const [active] = (await tx.execute(
      `update session set last_used_at = now()
       where id = ? and revoked_at is null and expires_at > now() and last_used_at > now() - make_interval(secs => ?) returning account_id`,
      [used.session_id, policy.idleSeconds],
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
  return known ? { kind: 'spent', sessionId: known.session_id, accountId: known.account_id } : { kind: 'unknown' };
}

/** Revokes the account's active sessions (one, all, or all but one) in the caller's transaction; returns their ids. */
export async function revokeSessions(
  tx: EntityManager,
  accountId: string,
  which: { sessionId?: string; exceptSessionId?: string },
  reason: RevocationReason,
): Promise<string[]> {
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
  return rows.map((r) => r.id);
}

/** The account's live sessions (not revoked, not expired, not idle), most recently used first; `endsAt` unless used again. */
export async function listActiveSessions(em: EntityManager, accountId: string, policy: SessionPolicy) {
  const now = Date.now();
  const sessions = await em.find(
    Session,
    { accountId, revokedAt: null, expiresAt: { $gt: new Date(now) }, lastUsedAt: { $gt: new Date(now - policy.idleSeconds * 1000) } },
    { orderBy: { lastUsedAt: 'desc' } },
  );
  return sessions.map((s) => ({ ...s, endsAt: new Date(Math.min(s.expiresAt.getTime(), s.lastUsedAt.getTime() + policy.idleSeconds * 1000)) }));
}

export interface SessionStatus {
  revoked: boolean;
  expired: boolean;
  /** Unused for longer than the idle timeout. */
  idle: boolean;
  accountId: string;
  username: string;
  role: string;
  /** When the session ends unless it is used again (idle deadline or maximum lifetime, whichever is first). */
  activeUntil: Date;
}

/**
 * What ValidateToken answers from, in one statement: the session's state and the account's current name and
 * role; and a live session's use is recorded (sliding its idle deadline) when the last record is older than
 * `touchSeconds`, so an active session costs at most one write per interval. Only the owner's use counts.
 */
export async function useSession(em: EntityManager, sessionId: string, userId: string, policy: SessionPolicy): Promise<SessionStatus | undefined> {
  const [row] = (await em.execute(
    `with s as (
       select s.id, s.account_id, s.revoked_at is not null as revoked, s.expires_at <= now() as expired,
              s.last_used_at <= now() - make_interval(secs => ?) as idle, s.last_used_at, s.expires_at
       from session s where s.id = ?
     ), touched as (
       update session t set last_used_at = now() from s
       where t.id = s.id and t.account_id = ? and not s.revoked and not s.expired and not s.idle
         and s.last_used_at < now() - make_interval(secs => ?)
       returning t.last_used_at
     )
     select s.revoked, s.expired, s.idle, a.id as account_id, a.username, a.role,
            least(s.expires_at, coalesce((select last_used_at from touched), s.last_used_at) + make_interval(secs => ?)) as active_until
     from s join account a on a.id = s.account_id`,
    [policy.idleSeconds, sessionId, userId, policy.touchSeconds, policy.idleSeconds],
  )) as { revoked: boolean; expired: boolean; idle: boolean; account_id: string; username: string; role: string; active_until: Date | string }[];
  return (
    row && {
      revoked: row.revoked,
      expired: row.expired,
      idle: row.idle,
      accountId: row.account_id,
      username: row.username,
      role: row.role,
      activeUntil: new Date(row.active_until),
    }
  );
}
