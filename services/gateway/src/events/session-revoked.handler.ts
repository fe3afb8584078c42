import { subscription } from '@vcd/dapr';
import type { SessionValidator } from '../http/session-validator.js';

/** session.revoked → the gateway forgets the cached validity of those sessions at once. */
export const sessionRevokedSubscription = (sessions: SessionValidator) =>
  subscription('session.revoked', async (data) => {
    sessions.revoke(data.sessionIds);
  });
