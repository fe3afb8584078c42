import { listPublicTags } from '../db/article.repository.js';
import type { BlogDeps } from './blog-deps.js';

/** Tags of published articles, sorted: the same for everyone, so from the public page cache (emptied by every write). */
export const listTags = (deps: Pick<BlogDeps, 'em' | 'publicPages'>): Promise<string[]> =>
  deps.publicPages.getOrCompute('tags', () => listPublicTags(deps.em()));
