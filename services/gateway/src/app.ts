import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import { AppError, errorMiddleware } from '@vcd/errors';
import { requestContext } from '@vcd/http';
import type { Sidecar } from '@vcd/dapr';
import type { Logger } from '@vcd/logging';
import type { GatewayConfig } from './config.js';
import type { PublicKeyEntry } from './domain/public-keys.js';
import { DOWNSTREAM_APPS, ownerOf } from './domain/route-table.js';
import { authenticate } from './http/authenticate.js';
import { forward } from './http/forward.js';
import { openApiAggregator } from './http/openapi-aggregate.js';
import { checkReadiness } from './http/readiness.js';

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  sidecar: Sidecar;
  publicKeys: () => Map<string, PublicKeyEntry>;
}

/** The public entry point: authentication, then forwarding through Dapr to the owning service. */
export function buildApp(deps: GatewayDeps): Koa {
  const { config } = deps;
  const app = new Koa({ proxy: false });
  const router = new Router();
  const openapi = openApiAggregator(deps.sidecar, DOWNSTREAM_APPS);

  app.use(requestContext(deps.logger));
  app.use(errorMiddleware({ logger: deps.logger }));

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', service: 'gateway' };
  });
  router.get('/readyz', async (ctx) => {
    const result = await checkReadiness(deps.sidecar, DOWNSTREAM_APPS);
    ctx.status = result.ok ? 200 : 503;
    ctx.body = { status: result.ok ? 'ok' : 'unavailable', ...result };
  });
  router.get('/api/openapi.json', async (ctx) => {
    ctx.body = await openapi();
  });
  app.use(router.routes());

  app.use(authenticate({ keys: deps.publicKeys, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }));
  app.use(async (ctx: Context, next: Next) => {
    const appId = ownerOf(ctx.path);
    if (!appId) return next();
    await forward(ctx, { sidecar: deps.sidecar, appId, timeoutMs: config.UPSTREAM_TIMEOUT_MS, bodyLimit: config.BODY_LIMIT_BYTES });
  });
  app.use((ctx: Context) => {
    throw new AppError('NOT_FOUND', 404, `No route for ${ctx.method} ${ctx.path}`);
  });
  return app;
}
