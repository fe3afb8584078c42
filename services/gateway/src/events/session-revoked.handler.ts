import { PermanentEventError, type Subscription } from '@vcd/dapr';
import { PUBLISHER_OF, type EventPayloads } from '@vcd/contracts';
import type { SessionValidator } from '../http/session-validator.js';

/** session.revoked → the gateway forgets the cached validity of those sessions at once. */
export const sessionRevokedSubscription = (sessions: SessionValidator): Subscription => ({
  topic: 'session.revoked',
  publishers: [PUBLISHER_OF['session.revoked']],
  handler: async (event) => {
    const data = event.data as Partial<EventPayloads['session.revoked']>;
    if (!Array.isArray(data?.sessionIds) || data.sessionIds.some((s) => typeof s !== 'string')) {
      throw new PermanentEventError('session.revoked without sessionIds');
    }
    sessions.revoke(data.sessionIds);
  },
});
