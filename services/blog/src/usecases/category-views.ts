import { takenCategoryFields, type CategoryRecord } from '../db/category.repository.js';
import { BlogErrors } from '../domain/blog-errors.js';
import type { BlogDeps } from './blog-deps.js';

/** Shared steps of the category use cases (not a use case): a category's view and the uniqueness check. */

export interface CategoryView {
  slug: string;
  name: string;
  description: string;
}

export const toCategoryView = (c: CategoryRecord): CategoryView => ({ slug: c.slug, name: c.name, description: c.description });

/** No other category (than `exceptId`) holds this name or slug. */
export async function assertCategoryFree(deps: Pick<BlogDeps, 'em'>, c: { slug: string; name: string }, exceptId?: number): Promise<void> {
  const taken = await takenCategoryFields(deps.em(), c, exceptId);
  if (taken.name || taken.slug) throw BlogErrors.categoryNameTaken();
}
