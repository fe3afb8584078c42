import type { EntityManager } from '@mikro-orm/postgresql';
import { PermanentEventError, type Subscription } from '@vcd/dapr';
import { handleOnce } from '@vcd/messaging';
import { createProfileOnce } from '../db/profile.repository.js';
import { parseUserRegistered } from '../domain/profile.js';

/** user.registered → the account's profile exists here (once, however often the event arrives). */
export const userRegisteredSubscription = (deps: { em: EntityManager }): Subscription => ({
  topic: 'user.registered',
  handler: async (event) => {
    const data = parseUserRegistered(event.data);
    if (!data) throw new PermanentEventError('user.registered without userId/username');
    await handleOnce(deps.em, { id: event.id, topic: 'user.registered' }, (tx) => createProfileOnce(tx, data.userId, data.username));
  },
});
