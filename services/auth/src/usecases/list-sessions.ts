import { listActiveSessions } from '../db/session.repository.js';
import { sessionPolicy, type AuthDeps } from './auth-deps.js';

/** The caller's live sessions, most recently used first, the current one marked. */
export async function listSessions(deps: Pick<AuthDeps, 'em' | 'config'>, caller: { userId: string; sessionId: string }) {
  const sessions = await listActiveSessions(deps.em(), caller.userId, sessionPolicy(deps));
  return sessions.map((s) => ({ ...s, current: s.id === caller.sessionId }));
}
