import type { BlogDeps } from './blog-deps.js';

/**
 * An author's profile changed (profile.updated): their cached card is dropped, and so are the cached anonymous
 * pages that show it (article lists, feeds). Order-insensitive: it only forgets.
 */
export function applyProfileUpdate(deps: Pick<BlogDeps, 'forgetAuthor' | 'publicPages'>, userId: string): void {
  deps.forgetAuthor(userId);
  deps.publicPages.invalidate();
}
