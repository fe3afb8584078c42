import { subscription } from '@vcd/dapr';
import { applyProfileUpdate } from '../usecases/apply-profile-update.js';
import type { BlogDeps } from '../usecases/blog-deps.js';

/**
 * profile.updated (from the user service, read through the `broadcast` pub/sub so every blog replica hears it):
 * the payload is parsed by the typed subscription, the effect is the apply-profile-update use case.
 */
export const profileUpdatedSubscription = (deps: Pick<BlogDeps, 'forgetAuthor' | 'publicPages'>) =>
  subscription('profile.updated', async (data) => applyProfileUpdate(deps, data.userId));
