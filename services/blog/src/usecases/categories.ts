import { notFound, validationError } from '@vcd/errors';
import {
  deleteCategory as deleteCategoryRow,
  findCategoryBySlug,
  insertCategory,
  listCategories as listCategoryRows,
  takenCategoryFields,
  updateCategory as updateCategoryRow,
  type CategoryRecord,
} from '../db/category.repository.js';
import { slugify } from '../domain/slug.js';
import type { BlogDeps } from './blog-deps.js';

export const toCategoryView = (c: CategoryRecord) => ({ slug: c.slug, name: c.name, description: c.description });
const categoryNotFound = (slug: string) => notFound('BLOG.CATEGORY_NOT_FOUND', `No category "${slug}"`, 'category');

export const listCategories = async (deps: BlogDeps) => (await listCategoryRows(deps.em())).map(toCategoryView);

async function assertFree(deps: BlogDeps, c: { slug: string; name: string }, exceptId?: number) {
  const taken = await takenCategoryFields(deps.em(), c, exceptId);
  if (taken.name || taken.slug) throw validationError({ name: ['has already been taken'] });
}

export async function createCategory(deps: BlogDeps, input: { name: string; description?: string }) {
  const c = { slug: slugify(input.name), name: input.name, description: input.description ?? '' };
  await assertFree(deps, c);
  return toCategoryView(await insertCategory(deps.em(), c));
}

export async function updateCategory(deps: BlogDeps, slug: string, input: { name?: string; description?: string }) {
  const current = await findCategoryBySlug(deps.em(), slug);
  if (!current) throw categoryNotFound(slug);
  const name = input.name ?? current.name;
  const next = { slug: input.name ? slugify(input.name) : current.slug, name, description: input.description ?? current.description };
  await assertFree(deps, next, current.id);
  const updated = await updateCategoryRow(deps.em(), slug, next);
  if (!updated) throw categoryNotFound(slug);
  return toCategoryView(updated);
}

export async function deleteCategory(deps: BlogDeps, slug: string) {
  if (!(await deleteCategoryRow(deps.em(), slug))) throw categoryNotFound(slug);
}
