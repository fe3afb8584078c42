import { PermanentEventError, type Subscription } from '@vcd/dapr';
import { PUBLISHER_OF, type EventPayloads } from '@vcd/contracts';
import type { SessionValidator } from '../http/session-validator.js';

/** user.role_changed → the gateway forgets that user's cached sessions, so the new role applies at once. */
export const roleChangedSubscription = (sessions: SessionValidator): Subscription => ({
  topic: 'user.role_changed',
  publishers: [PUBLISHER_OF['user.role_changed']],
  handler: async (event) => {
    const data = event.data as Partial<EventPayloads['user.role_changed']>;
    if (typeof data?.userId !== 'string' || !data.userId) throw new PermanentEventError('user.role_changed without userId');
    sessions.forgetUser(data.userId);
  },
});
