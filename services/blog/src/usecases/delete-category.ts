import { deleteCategory as deleteCategoryRow } from '../db/category.repository.js';
import { BlogErrors } from '../domain/blog-errors.js';
import type { BlogDeps } from './blog-deps.js';

/** Deletes a category (editors); its articles stay, without a category. */
export async function deleteCategory(deps: Pick<BlogDeps, 'em'>, slug: string): Promise<void> {
  if (!(await deleteCategoryRow(deps.em(), slug))) throw BlogErrors.categoryNotFound(slug);
}
