import type { BlogDeps } from './blog-deps.js';

/**
 * A user followed or unfollowed someone (user.followed / user.unfollowed): whom they follow is asked of the user
 * service again on their next page. Order-insensitive: it only forgets.
 */
export function applyFollowChange(deps: Pick<BlogDeps, 'follows'>, followerId: string): void {
  deps.follows.forget(followerId);
}
