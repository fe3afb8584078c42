import type { AuthDeps } from './auth-deps.js';
import { endSessions } from './end-sessions.js';

/** Ends the caller's current session: its access and refresh tokens stop working. */
export async function logOut(deps: Pick<AuthDeps, 'work'>, caller: { userId: string; sessionId: string }): Promise<void> {
  await deps.work.run((tx, events) => endSessions(tx, events, caller.userId, { sessionId: caller.sessionId }, 'logout'));
}
