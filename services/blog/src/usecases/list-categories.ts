import { listCategories as listCategoryRows } from '../db/category.repository.js';
import type { BlogDeps } from './blog-deps.js';
import { toCategoryView, type CategoryView } from './category-views.js';

/** All categories, by name. */
export const listCategories = async (deps: Pick<BlogDeps, 'em'>): Promise<CategoryView[]> => (await listCategoryRows(deps.em())).map(toCategoryView);
