import { z } from 'zod';
import { defineRoute } from '@vcd/http';
import type { BlogDeps } from '../usecases/blog-deps.js';
import { createCategory } from '../usecases/create-category.js';
import { deleteCategory } from '../usecases/delete-category.js';
import { listCategories } from '../usecases/list-categories.js';
import { updateCategory } from '../usecases/update-category.js';
import { CategorySchema, LIMITS, NewCategoryBody, UpdateCategoryBody } from './schemas.js';

const tags = ['Categories'];
const invalid = { description: 'Invalid input: {"errors":{field:[message]}}' };
const Params = z.object({ slug: z.string().min(1).max(80) });

export function categoryRoutes(deps: BlogDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/categories',
      operationId: 'GetCategories',
      summary: 'All categories, by name',
      tags,
      auth: 'public',
      style: 'realworld',
      responses: { 200: { description: 'Categories', schema: z.object({ categories: z.array(CategorySchema) }) } },
      handler: async () => ({ body: { categories: await listCategories(deps) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/categories',
      operationId: 'CreateCategory',
      summary: 'Create a category (editors)',
      tags,
      auth: 'editor',
      style: 'realworld',
      bodyLimit: LIMITS.smallBodyBytes,
      request: { body: NewCategoryBody },
      responses: { 201: { description: 'The category', schema: z.object({ category: CategorySchema }) }, 403: { description: 'Not an editor' }, 422: invalid },
      handler: async ({ body }) => ({ status: 201, body: { category: await createCategory(deps, body.category) } }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/categories/:slug',
      operationId: 'UpdateCategory',
      summary: 'Rename or describe a category (editors)',
      tags,
      auth: 'editor',
      style: 'realworld',
      bodyLimit: LIMITS.smallBodyBytes,
      request: { params: Params, body: UpdateCategoryBody },
      responses: {
        200: { description: 'The category', schema: z.object({ category: CategorySchema }) },
        403: { description: 'Not an editor' },
        404: { description: 'No such category' },
        422: invalid,
      },
      handler: async ({ params, body }) => ({ body: { category: await updateCategory(deps, params.slug, body.category) } }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/categories/:slug',
      operationId: 'DeleteCategory',
      summary: 'Delete a category (editors); its articles stay, without a category',
      tags,
      auth: 'editor',
      style: 'realworld',
      request: { params: Params },
      responses: { 204: { description: 'Deleted' }, 403: { description: 'Not an editor' }, 404: { description: 'No such category' } },
      handler: async ({ params }) => {
        await deleteCategory(deps, params.slug);
        return { status: 204 };
      },
    }),
  ];
}
