import { z } from 'zod';
import { defineRoute } from '@vcd/http';
import { listPublicTags } from '../db/article.repository.js';
import type { BlogDeps } from '../usecases/blog-deps.js';

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
      // The same for everyone: from the public page cache (emptied by every write).
      handler: async () => ({ body: { tags: await deps.publicPages.getOrCompute('tags', () => listPublicTags(deps.em())) } }),
    }),
  ];
}
