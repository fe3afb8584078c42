import { timingSafeEqual } from 'node:crypto';
import Koa, { type Context, type Next } from 'koa';
import type Router from '@koa/router';
import { AppError, errorMiddleware } from '@vcd/errors';
import type { Logger } from '@vcd/logging';
import { assertAuthorized, identityFromHeaders } from './identity.js';
import { mountRoutes } from './mount-routes.js';
import { requestContext } from './request-context.js';
import { buildOpenApi } from './openapi.js';
import { isPublicPath, type AnyRoute } from './route.js';

export interface HealthCheck {
  name: string;
  check: () => Promise<void>;
}

export interface ServiceAppOptions {
  service: string;
  version?: string;
  logger: Logger;
  /** The token daprd presents on every call (dapr-api-token header). Requests without it are refused. */
  appApiToken: string;
  routes: AnyRoute[];
  /** Extra routers (Dapr subscriptions, internal endpoints) mounted after the declared routes. */
  routers?: Router[];
  /** App ids whose identity headers are trusted (default: the gateway). */
  trustedCallers?: string[];
  /** Readiness checks (database, …) reported by /readyz. */
  readiness?: HealthCheck[];
  /** Paths that skip the app API token check (probes). */
  openPaths?: string[];
}

/**
 * Compares a presented secret (a header, any bytes a caller sends) with the expected one in constant time for
 * equal lengths. Compares bytes, not characters: a non-ASCII header of the right length is simply unequal.
 */
export const sameSecret = (presented: string, expected: string) => {
  const x = Buffer.from(presented);
  const y = Buffer.from(expected);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * A Koa app for a service that sits behind its Dapr sidecar: probes, app API token check, identity from the
 * gateway, declared routes with validation, the service's own OpenAPI document, one error mapping.
 */
export function createServiceApp(options: ServiceAppOptions): Koa {
  const app = new Koa({ proxy: false });
  const trusted = new Set(options.trustedCallers ?? ['gateway']);
  const openPaths = new Set(options.openPaths ?? ['/healthz', '/readyz']);
  const openapi = buildOpenApi({ title: `${options.service} service`, version: options.version ?? '0.1.0' }, options.routes);

  app.use(requestContext(options.logger));
  app.use(
    errorMiddleware({
      logger: options.logger,
      style: (ctx) => ((ctx.state.route as AnyRoute | undefined)?.style === 'realworld' ? 'realworld' : 'problem'),
    }),
  );
  app.use(async (ctx: Context, next: Next) => {
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok', service: options.service, caller: ctx.get('dapr-caller-app-id') || null };
      return;
    }
    if (ctx.path === '/readyz') {
      const checks: Record<string, { ok: boolean; error?: string }> = {};
      await Promise.all(
        (options.readiness ?? []).map(async (c) => {
          try {
            await c.check();
            checks[c.name] = { ok: true };
          } catch (err) {
            checks[c.name] = { ok: false, error: (err as Error).message };
          }
        }),
      );
      const ok = Object.values(checks).every((c) => c.ok);
      ctx.status = ok ? 200 : 503;
      ctx.body = { status: ok ? 'ok' : 'unavailable', service: options.service, caller: ctx.get('dapr-caller-app-id') || null, checks };
      return;
    }
    if (!openPaths.has(ctx.path)) {
      const token = ctx.get('dapr-api-token');
      if (!token || !sameSecret(token, options.appApiToken)) {
        throw new AppError('SIDECAR_ONLY', 401, 'This service only accepts calls from its Dapr sidecar');
      }
    }
    const caller = ctx.get('dapr-caller-app-id') || undefined;
    ctx.state.caller = caller;
    ctx.state.identity = caller && trusted.has(caller) ? identityFromHeaders((n) => ctx.get(n)) : undefined;
    await next();
  });

  const router = mountRoutes(
    options.routes.map((route) => ({
      ...route,
      handler: (input, ctx) => {
        const caller = ctx.state.caller as string | undefined;
        if (route.auth !== 'internal' && isPublicPath(route.path) && !(caller && trusted.has(caller))) {
          throw new AppError('GATEWAY_ONLY', 403, 'Public routes are served through the gateway only');
        }
        assertAuthorized(route.auth, ctx.state.identity, caller);
        return route.handler(input, ctx);
      },
    })),
  );
  router.get('/openapi.json', (ctx) => {
    ctx.body = openapi;
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  for (const extra of options.routers ?? []) {
    app.use(extra.routes());
    app.use(extra.allowedMethods());
  }
  app.use((ctx: Context) => {
    if (ctx.status === 404 && ctx.body === undefined) throw new AppError('NOT_FOUND', 404, `No route for ${ctx.method} ${ctx.path}`);
  });
  return app;
}
