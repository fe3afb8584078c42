import { PUBLISHER_OF } from '@vcd/contracts';
import type { Subscription } from '@vcd/dapr';
import { createProfileOnce, renameProfileWithEvent } from '../db/profile.repository.js';
import { parsePayload } from '../domain/event-payloads.js';
import { consume, type ConsumerDeps } from './consume.js';

/** user.registered → the account's profile exists here (once, however often the event arrives). */
export const userRegisteredSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'user.registered', [PUBLISHER_OF['user.registered']], (d) => parsePayload('user.registered', d), async (tx, data) => {
    await createProfileOnce(tx, data.userId, data.username);
  });

/** user.updated → the profile carries the account's new username (profile.updated follows through the outbox). */
export const userUpdatedSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'user.updated', [PUBLISHER_OF['user.updated']], (d) => parsePayload('user.updated', d), async (tx, data) => ({
    enqueued: await renameProfileWithEvent(tx, data.userId, data.username),
  }));
