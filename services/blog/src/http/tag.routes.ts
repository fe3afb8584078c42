import { z } from 'zod';
import { defineRoute } from '@vcd/http';
import type { BlogDeps } from '../usecases/blog-deps.js';
import { listTags } from '../usecases/list-tags.js';

export function tagRoutes(deps: Pick<BlogDeps, 'em' | 'publicPages'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/tags',
      operationId: 'GetTags',
      summary: 'Tags of published articles, sorted',
      tags: ['Tags'],
      auth: 'public',
      style: 'realworld',
      responses: { 200: { description: 'Tags, sorted', schema: z.object({ tags: z.array(z.string()) }) } },
      handler: async () => ({ body: { tags: await listTags(deps) }, headers: deps.publicPages.sharedCacheControl }),
    }),
  ];
}
