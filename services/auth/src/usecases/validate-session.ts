import { useSession, type SessionPolicy } from '../db/session.repository.js';

export type { SessionPolicy };
import type { AuthDeps } from './auth-deps.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type SessionValidity =
  | { valid: true; username: string; role: string; activeUntil: Date }
  | { valid: false; reason: 'unknown' | 'revoked' | 'expired' | 'idle' };

/**
 * Is the session behind an access token still valid, and who is its user now (name and role may have changed)?
 * The gateway asks on every request it has no fresh answer cached for, so this is also where a session's use is
 * recorded (its idle deadline slides) and where an idle session ends. Only the session's owner can use it.
 */
export async function validateSession(deps: Pick<AuthDeps, 'em'> & { policy: SessionPolicy }, token: { sessionId: string; userId: string }): Promise<SessionValidity> {
  if (!UUID.test(token.sessionId) || !UUID.test(token.userId)) return { valid: false, reason: 'unknown' };
  const status = await useSession(deps.em().fork(), token.sessionId, token.userId, deps.policy);
  if (!status || status.accountId !== token.userId) return { valid: false, reason: 'unknown' };
  if (status.revoked) return { valid: false, reason: 'revoked' };
  if (status.expired) return { valid: false, reason: 'expired' };
  if (status.idle) return { valid: false, reason: 'idle' };
  return { valid: true, username: status.username, role: status.role, activeUntil: status.activeUntil };
}
