import Router from '@koa/router';
import type { Context } from 'koa';
import { readJsonBody } from './json-body.js';
import type { AnyRoute } from './route.js';
import { assertSafeText } from './text-safety.js';
import { parseOrThrow } from './validate.js';

/**
 * Registers declared routes on a router: text safety of every string in params, query and body (no NUL, no lone
 * surrogate), validation against the route's schemas, then the handler.
 */
export function mountRoutes(routes: AnyRoute[], router = new Router()): Router {
  for (const route of routes) {
    router[route.method](route.operationId, route.path, async (ctx: Context) => {
      ctx.state.route = route;
      const req = route.request ?? {};
      const raw = ['post', 'put', 'patch'].includes(route.method) ? await readJsonBody(ctx, route.bodyLimit) : undefined;
      assertSafeText({ params: ctx.params, query: ctx.query, body: raw });
      const params = req.params ? parseOrThrow(req.params, ctx.params, 'params') : ctx.params;
      const query = req.query ? parseOrThrow(req.query, ctx.query, 'query') : ctx.query;
      const body = req.body ? parseOrThrow(req.body, raw, 'body') : undefined;
      const headers = req.headers ? parseOrThrow(req.headers, ctx.headers, 'headers') : {};
      const result = await route.handler({ params, query, body, headers }, ctx);
      for (const [k, v] of Object.entries(result.headers ?? {})) ctx.set(k, v);
      ctx.status = result.status ?? 200;
      if (result.body !== undefined) ctx.body = result.body;
    });
  }
  return router;
}

/** Koa-router paths (`/articles/:slug`) as OpenAPI paths (`/articles/{slug}`). */
export const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
