import type { Subscription } from '@vcd/dapr';
import { registerProfile } from '../usecases/register-profile.js';
import { renameProfile } from '../usecases/rename-profile.js';
import { consume, type ConsumerDeps } from './consume.js';

/** user.registered → register-profile.ts. */
export const userRegisteredSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'user.registered', (tx, account) => registerProfile(tx, account));

/** user.updated → rename-profile.ts (only a newer identity version applies). */
export const userUpdatedSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'user.updated', (tx, account, events) => renameProfile(tx, events, account));
