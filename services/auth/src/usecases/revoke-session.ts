import { AuthErrors } from '../domain/auth-errors.js';
import type { AuthDeps } from './auth-deps.js';
import { endSessions } from './end-sessions.js';

/** Ends one of the caller's own active sessions; another account's session, or an ended one, is not found. */
export async function revokeSession(deps: Pick<AuthDeps, 'work'>, caller: { userId: string }, sessionId: string): Promise<void> {
  const ended = await deps.work.run((tx, events) => endSessions(tx, events, caller.userId, { sessionId }, 'revoked'));
  if (ended.length === 0) throw AuthErrors.sessionNotFound();
}
