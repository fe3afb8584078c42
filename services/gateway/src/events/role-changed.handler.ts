import { subscription } from '@vcd/dapr';
import type { SessionValidator } from '../http/session-validator.js';

/** user.role_changed → the gateway forgets that user's cached sessions, so the new role applies at once. */
export const roleChangedSubscription = (sessions: SessionValidator) =>
  subscription('user.role_changed', async (data) => {
    sessions.forgetUser(data.userId);
  });
