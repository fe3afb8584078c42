import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '@vcd/logging';
import { httpServerDuration, methodLabel, nameServerSpan } from '@vcd/telemetry';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The route template a request matched (`/api/articles/:slug`), for span names and metric labels: a declared
 * route, a route the gateway forwards (its declared template), or a router's own pattern. Never the raw path, so
 * an attacker's paths cannot mint label values; anything unmatched is 'unmatched'.
 */
export function routeTemplateOf(ctx: Context): string {
  const declared = (ctx.state.route as { path?: string } | undefined)?.path;
  if (declared) return declared;
  const forwarded = (ctx.state.publicRoute as { key?: string } | undefined)?.key;
  if (forwarded) return forwarded.slice(forwarded.indexOf(' ') + 1);
  const matched = (ctx as unknown as { _matchedRoute?: string | RegExp })._matchedRoute;
  if (typeof matched === 'string') return matched;
  return OPERATIONS.has(ctx.path) ? ctx.path : 'unmatched';
}
const OPERATIONS = new Set(['/healthz', '/readyz', '/openapi.json', '/api/openapi.json', '/api/docs', '/dapr/config', '/dapr/subscribe']);

/**
 * Gives every request an id (kept from x-request-id when sane), a child logger and an access log line; names its
 * trace span after the route template and records its duration and status (RED metrics per route template).
 */
export function requestContext(logger: Logger, options: { quietPaths?: string[] } = {}) {
  const durations = httpServerDuration();
  const quiet = new Set(options.quietPaths ?? ['/healthz', '/readyz', '/dapr/config', '/dapr/subscribe']);
  return async function withRequestContext(ctx: Context, next: Next) {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    // The per-request child logger is made only when something logs (pino children are not free).
    let child: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', { configurable: true, enumerable: true, get: () => (child ??= logger.child({ requestId })) });
    ctx.set('x-request-id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const route = routeTemplateOf(ctx);
      nameServerSpan(ctx.method, route);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (!quiet.has(ctx.path)) durations.observe({ method: methodLabel(ctx.method), route, status: ctx.status }, seconds);
      if (!quiet.has(ctx.path) && logger.isLevelEnabled('info')) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const caller = ctx.get('dapr-caller-app-id') || undefined;
        (ctx.state.log as Logger).info(
          { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10, caller },
          'request',
        );
      }
    }
  };
}
