import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import cors from '@koa/cors';
import type { Redis } from 'ioredis';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import type { DaprGrpcInvoker } from '@vcd/contracts';
import { subscriptionRouter, type Sidecar } from '@vcd/dapr';
import { currentTraceparent } from '@vcd/telemetry';
import { AppError, errorMiddleware } from '@vcd/errors';
import { buildOpenApi, mountRoutes, requestContext, sameSecret, type AnyRoute } from '@vcd/http';
import type { Logger } from '@vcd/logging';
import type { GatewayConfig } from './config.js';
import { clientIp, parseTrustedProxies } from './domain/client-ip.js';
import { DOWNSTREAM_APPS } from './domain/route-table.js';
import type { AuthKeys } from './clients/auth-keys.js';
import { CachedProfileCards } from './clients/cached-profile-cards.js';
import { userProfiles } from './clients/user-profiles.js';
import { roleChangedSubscription } from './events/role-changed.handler.js';
import { profileUpdatedSubscription } from './events/profile-updated.handler.js';
import { sessionRevokedSubscription } from './events/session-revoked.handler.js';
import { authenticate } from './http/authenticate.js';
import { avatarRoutes, defaultImages } from './http/avatar.routes.js';
import { docsRouter } from './http/docs-page.js';
import { callUpstream, forward, writeUpstream, type ForwardDeps } from './http/forward.js';
import { AnswerCache } from './http/answer-cache.js';
import { authorizePublicRoute, checkRequestTarget, forwardTarget, resolvedRoute, resolvePublicRoutes } from './http/public-routes.js';
import { securityHeaders } from './http/security-headers.js';
import type { ServiceDocuments } from './http/service-documents.js';
import { asyncApiRoutes } from './http/asyncapi.routes.js';
import { rateLimit } from './http/rate-limit.js';
import type { SessionValidator } from './http/session-validator.js';
import { userCompositionRoutes } from './http/user-composition.routes.js';
import { openApiDocument } from './usecases/get-openapi-document.js';
import { readReadiness } from './usecases/read-readiness.js';

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  sidecar: Sidecar;
  grpc: DaprGrpcInvoker;
  redis: Redis;
  keys: AuthKeys;
  sessions: SessionValidator;
  documents: ServiceDocuments;
}


/**
 * The public entry point: CORS, request ids, authentication (koa-jwt + live session check), rate limits, the
 * composed routes, then forwarding through Dapr to the service that owns the path.
 */
export function buildApp(deps: GatewayDeps): Koa {
  const { config } = deps;
  const app = new Koa({ proxy: false });
  const cards = new CachedProfileCards(userProfiles(deps.grpc), config.PROFILE_CARD_CACHE_TTL_MS);
  const forwardDeps: ForwardDeps = { sidecar: deps.sidecar, timeoutMs: config.UPSTREAM_TIMEOUT_MS, bodyLimit: config.BODY_LIMIT_BYTES };
  const composed: AnyRoute[] = [
    ...userCompositionRoutes({ forward: forwardDeps, profiles: cards, defaultAvatarUrl: config.DEFAULT_AVATAR_URL }),
    ...avatarRoutes(),
    ...asyncApiRoutes(),
  ];
  const ownDoc = buildOpenApi({ title: 'gateway', version: '0.1.0' }, composed);
  const openapi = openApiDocument(deps.documents, ownDoc.paths as OpenAPIObject['paths']);
  const trusted = parseTrustedProxies(config.TRUSTED_PROXIES);
  const answers = new AnswerCache(config.PUBLIC_CACHE_MAX_MS, config.PUBLIC_CACHE_MAX_BYTES);
  const origins = config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);

  app.use(requestContext(deps.logger));
  app.use(
    cors({
      origin: (ctx: Context) => {
        const origin = ctx.get('origin');
        return origins.includes('*') ? '*' : origins.includes(origin) ? origin : '';
      },
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      // Conditional requests (feeds): a browser client may send the validators and read the ETag.
      allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'traceparent', 'Idempotency-Key', 'If-None-Match', 'If-Modified-Since'],
      exposeHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'Location', 'traceparent', 'Idempotent-Replayed', 'ETag'],
      maxAge: 600,
    }),
  );
  app.use(securityHeaders());
  // Before the error mapping, so that it sees the status a failed write really answered.
  app.use(answers.dropWritersAnswers());
  app.use(
    errorMiddleware({
      logger: deps.logger,
      style: (ctx) => (ctx.state.errorStyle ?? (ctx.state.route as AnyRoute | undefined)?.style) === 'realworld' ? 'realworld' : 'problem',
    }),
  );
  app.use(checkRequestTarget());
  app.use(async (ctx: Context, next: Next) => {
    ctx.state.clientIp = clientIp(ctx.req.socket.remoteAddress, ctx.get('x-forwarded-for') || undefined, trusted);
    await next();
  });

  // Probes, docs and the events daprd delivers to the gateway.
  const ops = new Router();
  ops.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', service: 'gateway' };
  });
  ops.get('/readyz', async (ctx) => {
    const { ready, parts, routes } = await readReadiness({ sidecar: deps.sidecar, routesKnown: () => deps.documents.allLoaded(), apps: DOWNSTREAM_APPS });
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ok' : 'unavailable', ...parts, routes };
  });
  ops.get('/api/openapi.json', async (ctx) => {
    ctx.body = await openapi();
  });
  app.use(ops.routes());
  app.use(docsRouter().routes());

  const fromSidecar = subscriptionRouter({
    pubsub: 'broadcast',
    logger: deps.logger,
    subscriptions: [sessionRevokedSubscription(deps.sessions), roleChangedSubscription(deps.sessions), profileUpdatedSubscription(cards)],
  });
  // /dapr/* and /events/* are for the gateway's sidecar only: its token first, then the subscription routes.
  app.use(async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith('/dapr/') && !ctx.path.startsWith('/events/')) return next();
    const token = ctx.get('dapr-api-token');
    if (!token || !sameSecret(token, config.APP_API_TOKEN)) throw new AppError('SIDECAR_ONLY', 401, 'Only the gateway sidecar may call this');
    return next();
  });
  app.use(fromSidecar.routes());

  // Only declared routes go further: the gateway's own composition, or a route its owning service declares. The
  // route is resolved first, so that a bad token on a RealWorld route is answered in the RealWorld shape too.
  app.use(resolvePublicRoutes({ documents: deps.documents, composed }));
  app.use(defaultImages(config.DEFAULT_AVATAR_URL));
  app.use(authenticate({ keys: deps.keys, sessions: deps.sessions, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }));
  app.use(authorizePublicRoute());
  app.use(rateLimit({ redis: deps.redis, budgets: budgetsOf(config), clientIp: (ctx) => ctx.state.clientIp as string, logger: deps.logger }));
  const composedRouter = mountRoutes(composed);
  app.use(composedRouter.routes());
  app.use(async (ctx: Context, next: Next) => {
    if (ctx.state.route) return next(); // answered by a composed route
    if (!resolvedRoute(ctx)) return next();
    const { appId, path } = forwardTarget(ctx);
    const key = answers.keyOf(ctx, appId, path);
    if (!key) return forward(ctx, appId, path, forwardDeps);
    const { response, own, ageSeconds } = await answers.answer(key, () =>
      callUpstream(ctx, appId, path, forwardDeps, { query: true }),
    );
    writeUpstream(ctx, response);
    if (ageSeconds !== undefined) ctx.set('Age', String(ageSeconds));
    if (!own) {
      // No sidecar answered this request (the answer was fetched for another one): the trace context the client gets
      // back is the gateway's own span, in the client's trace, never the other request's.
      ctx.remove('traceparent');
      const traceparent = currentTraceparent();
      if (traceparent) ctx.set('traceparent', traceparent);
    }
  });
  app.use((ctx: Context) => {
    if (ctx.state.route || resolvedRoute(ctx)) return;
    throw new AppError('NOT_FOUND', 404, 'No such route', { subject: { subject: 'route', reason: 'not found' } });
  });
  return app;
}

const budgetsOf = (c: GatewayConfig) => ({
  ipPerMinute: c.RATE_LIMIT_IP_PER_MINUTE,
  userPerMinute: c.RATE_LIMIT_USER_PER_MINUTE,
  loginPerMinute: c.RATE_LIMIT_LOGIN_PER_MINUTE,
  registerPerHour: c.RATE_LIMIT_REGISTER_PER_HOUR,
  passwordResetPerHour: c.RATE_LIMIT_PASSWORD_RESET_PER_HOUR,
});
