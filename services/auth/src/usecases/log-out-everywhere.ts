import type { AuthDeps } from './auth-deps.js';
import { endSessions } from './end-sessions.js';

/** Ends every session of the caller, the current one included. */
export async function logOutEverywhere(deps: Pick<AuthDeps, 'work'>, caller: { userId: string }): Promise<void> {
  await deps.work.run((tx, events) => endSessions(tx, events, caller.userId, {}, 'logout_all'));
}
