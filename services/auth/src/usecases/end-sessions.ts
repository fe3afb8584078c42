import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventSink } from '@vcd/messaging';
import { revokeSessions, type RevocationReason } from '../db/session.repository.js';

/**
 * Ends the account's active sessions (one, all, or all but one) in the caller's unit of work and tells the gateway
 * at once (session.revoked is urgent: it must stop accepting their tokens within a second). Returns their ids.
 * Shared by the use cases that end sessions (log out, revoke, change or reset the password, refresh-token reuse).
 */
export async function endSessions(
  tx: EntityManager,
  events: EventSink,
  accountId: string,
  which: { sessionId?: string; exceptSessionId?: string },
  reason: RevocationReason,
): Promise<string[]> {
  const sessionIds = await revokeSessions(tx, accountId, which, reason);
  if (sessionIds.length > 0) events.emit('session.revoked', { userId: accountId, sessionIds, reason }, { urgent: true });
  return sessionIds;
}
