import { defineEntity, p } from '@mikro-orm/core';

/** A category, managed by editors; an article has at most one. */
export const Category = defineEntity({
  name: 'Category',
  tableName: 'category',
  properties: {
    id: p.integer().primary().autoincrement(),
    slug: p.string().length(80).unique('category_slug_key'),
    name: p.string().length(80).unique('category_name_key'),
    description: p.text().default(''),
    createdAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()),
    updatedAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
