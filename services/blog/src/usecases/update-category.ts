import { findCategoryBySlug, updateCategory as updateCategoryRow } from '../db/category.repository.js';
import { BlogErrors } from '../domain/blog-errors.js';
import { slugify } from '../domain/slug.js';
import type { BlogDeps } from './blog-deps.js';
import { assertCategoryFree, toCategoryView, type CategoryView } from './category-views.js';

/** Renames or describes a category (editors): a new name gives a new slug. */
export async function updateCategory(deps: Pick<BlogDeps, 'em'>, slug: string, input: { name?: string; description?: string }): Promise<CategoryView> {
  const current = await findCategoryBySlug(deps.em(), slug);
  if (!current) throw BlogErrors.categoryNotFound(slug);
  const name = input.name ?? current.name;
  const next = { slug: input.name ? slugify(input.name) : current.slug, name, description: input.description ?? current.description };
  await assertCategoryFree(deps, next, current.id);
  const updated = await updateCategoryRow(deps.em(), slug, next);
  if (!updated) throw BlogErrors.categoryNotFound(slug);
  return toCategoryView(updated);
}
