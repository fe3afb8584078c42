import { insertCategory } from '../db/category.repository.js';
import { slugify } from '../domain/slug.js';
import type { BlogDeps } from './blog-deps.js';
import { assertCategoryFree, toCategoryView, type CategoryView } from './category-views.js';

/** A new category (editors): its slug from its name; name and slug are unique. */
export async function createCategory(deps: Pick<BlogDeps, 'em'>, input: { name: string; description?: string }): Promise<CategoryView> {
  const c = { slug: slugify(input.name), name: input.name, description: input.description ?? '' };
  await assertCategoryFree(deps, c);
  return toCategoryView(await insertCategory(deps.em(), c));
}
