import type { EntityManager } from '@mikro-orm/postgresql';
import { Category } from './category.entity.js';

export interface CategoryRecord {
  id: number;
  slug: string;
  name: string;
  description: string;
}

const toRecord = (c: CategoryRecord): CategoryRecord => ({ id: c.id, slug: c.slug, name: c.name, description: c.description ?? '' });

export const listCategories = async (em: EntityManager) =>
  (await em.find(Category, {}, { orderBy: { name: 'asc' } })).map(toRecord);

export async function findCategoryBySlug(em: EntityManager, slug: string): Promise<CategoryRecord | undefined> {
  const c = await em.findOne(Category, { slug });
  return c ? toRecord(c) : undefined;
}

/** Which of a category's unique fields another category already uses. */
export async function takenCategoryFields(em: EntityManager, c: { slug: string; name: string }, exceptId?: number) {
  const others = await em.find(Category, { $or: [{ slug: c.slug }, { name: c.name }], ...(exceptId ? { id: { $ne: exceptId } } : {}) });
  return { name: others.some((o) => o.name === c.name), slug: others.some((o) => o.slug === c.slug) };
}

export async function insertCategory(em: EntityManager, c: { slug: string; name: string; description: string }): Promise<CategoryRecord> {
  const entity = em.create(Category, { ...c, createdAt: new Date(), updatedAt: new Date() });
  await em.flush();
  return toRecord(entity);
}

export async function updateCategory(em: EntityManager, slug: string, c: { slug: string; name: string; description: string }): Promise<CategoryRecord | undefined> {
  const entity = await em.findOne(Category, { slug });
  if (!entity) return undefined;
  em.assign(entity, c);
  await em.flush();
  return toRecord(entity);
}

/** Deletes a category; its articles keep existing without one. False when there was no such category. */
export async function deleteCategory(em: EntityManager, slug: string): Promise<boolean> {
  const deleted = await em.nativeDelete(Category, { slug });
  return deleted > 0;
}
