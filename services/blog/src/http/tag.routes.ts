import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { defineRoute } from '@vcd/http';
import { Tag } from '../db/tag.entity.js';

export function tagRoutes(deps: { em: () => EntityManager }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/tags',
      operationId: 'GetTags',
      summary: 'Get tags',
      tags: ['Tags'],
      auth: 'public',
      style: 'realworld',
      responses: { 200: { description: 'Tags, sorted', schema: z.object({ tags: z.array(z.string()) }) } },
      handler: async () => {
        const tags = await deps.em().find(Tag, {}, { orderBy: { name: 'asc' } });
        return { body: { tags: tags.map((t) => t.name) } };
      },
    }),
  ];
}
