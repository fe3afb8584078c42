import { subscription } from '@vcd/dapr';
import { applyFollowChange } from '../usecases/apply-follow-change.js';
import type { BlogDeps } from '../usecases/blog-deps.js';

/**
 * user.followed and user.unfollowed (from the user service, read through the `broadcast` pub/sub so every blog
 * replica hears them): the follower's cached follows are dropped (apply-follow-change).
 */
export const followChangedSubscriptions = (deps: Pick<BlogDeps, 'follows'>) => [
  subscription('user.followed', async (data) => applyFollowChange(deps, data.followerId)),
  subscription('user.unfollowed', async (data) => applyFollowChange(deps, data.followerId)),
];
