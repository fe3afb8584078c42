import { asyncApiDocument } from '@vcd/contracts';
import { defineRoute } from '@vcd/http';

/** GET /api/asyncapi.json: the AsyncAPI 3 document of every pub/sub topic, generated from the event schemas. */
export function asyncApiRoutes() {
  const body = Buffer.from(JSON.stringify(asyncApiDocument()), 'utf8');
  return [
    defineRoute({
      method: 'get',
      path: '/api/asyncapi.json',
      operationId: 'GetAsyncApiDocument',
      summary: 'The AsyncAPI 3 document of the events the services publish (topics, publishers, payload schemas)',
      tags: ['Events'],
      auth: 'public',
      responses: { 200: { description: 'An AsyncAPI 3.0 document', contentType: 'application/json' } },
      handler: () => ({ status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=300' }, body }),
    }),
  ];
}
