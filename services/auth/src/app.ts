import { RequestContext } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { createServiceApp } from '@vcd/http';
import type { Logger } from '@vcd/logging';
import type { AuthConfig } from './config.js';
import type { SigningKey } from './domain/access-token.js';
import { PasswordHasher } from './domain/password-hasher.js';
import { userRoutes } from './http/user.routes.js';

export interface AuthAppDeps {
  orm: MikroORM;
  logger: Logger;
  config: AuthConfig;
  signingKey: SigningKey;
  /** Called after a transaction that wrote outbox events committed. */
  afterCommit: () => void;
}

/** The auth service as a Koa app (tests call it in-process; main.ts listens). */
export function buildApp(deps: AuthAppDeps) {
  const em = () => RequestContext.getEntityManager() as EntityManager;
  const c = deps.config;
  const hasher = new PasswordHasher({
    memoryKiB: c.ARGON2_MEMORY_KIB,
    timeCost: c.ARGON2_TIME_COST,
    parallelism: c.ARGON2_PARALLELISM,
    maxConcurrency: c.ARGON2_MAX_CONCURRENCY,
  });
  const app = createServiceApp({
    service: 'auth',
    logger: deps.logger,
    appApiToken: c.APP_API_TOKEN,
    routes: userRoutes({
      em,
      hasher,
      signingKey: () => deps.signingKey,
      jwt: { issuer: c.JWT_ISSUER, audience: c.JWT_AUDIENCE, ttlSeconds: c.ACCESS_TOKEN_TTL_SECONDS },
      refreshTtlDays: c.REFRESH_TOKEN_TTL_DAYS,
      afterCommit: deps.afterCommit,
    }),
    readiness: [{ name: 'database', check: async () => void (await deps.orm.em.getConnection().execute('select 1')) }],
  });
  app.middleware.unshift((_ctx, next) => RequestContext.create(deps.orm.em, next));
  return app;
}
