import { RequestContext } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { rpcRouter } from '@vcd/contracts';
import { createServiceApp } from '@vcd/http';
import type { Logger } from '@vcd/logging';
import { UnitOfWork, type CommitHooks } from '@vcd/messaging';
import type { AuthConfig } from './config.js';
import type { SigningKey } from './domain/access-token.js';
import { toJwks, type PublicKeyEntry } from './domain/jwks.js';
import { PasswordHasher } from './domain/password-hasher.js';
import { sessionPolicy } from './usecases/auth-deps.js';
import { adminRoutes } from './http/admin.routes.js';
import type { AuthRouteDeps } from './http/auth-deps.js';
import { emailTokenRoutes } from './http/email-token.routes.js';
import { jwksRoutes } from './http/jwks.routes.js';
import { sessionRoutes } from './http/session.routes.js';
import { userRoutes } from './http/user.routes.js';
import { validateTokenRpc } from './rpc/validate-token.rpc.js';
import { Throttles, type ThrottlePolicy } from './throttle/throttles.js';

export interface AuthAppDeps {
  orm: MikroORM;
  logger: Logger;
  config: AuthConfig;
  signingKey: SigningKey;
  publicKeys: PublicKeyEntry[];
  redis: Redis;
  /** What happens after a unit of work that wrote events or mails committed (main.ts: publish urgent events, wake the relays). */
  commitHooks: CommitHooks;
  createProfile: AuthRouteDeps['createProfile'];
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
  const jwks = toJwks(deps.publicKeys);
  if (!jwks.keys.some((k) => k.kid === deps.signingKey.kid)) throw new Error(`jwt-public-keys does not list the signing key ${deps.signingKey.kid}`);
  const routeDeps: AuthRouteDeps = {
    em,
    hasher,
    signingKey: () => deps.signingKey,
    jwks: () => jwks,
    throttles: new Throttles(deps.redis, throttlePolicy(c)),
    config: c,
    logger: deps.logger,
    work: new UnitOfWork(em, deps.commitHooks),
    workOn: (on) => new UnitOfWork(() => on, deps.commitHooks),
    createProfile: deps.createProfile,
  };
  const app = createServiceApp({
    service: 'auth',
    logger: deps.logger,
    appApiToken: c.APP_API_TOKEN,
    routes: [...userRoutes(routeDeps), ...sessionRoutes(routeDeps), ...emailTokenRoutes(routeDeps), ...adminRoutes(routeDeps), ...jwksRoutes(routeDeps)],
    routers: [rpcRouter([validateTokenRpc(em, sessionPolicy({ config: c }))])],
    readiness: [
      { name: 'database', check: async () => void (await deps.orm.em.getConnection().execute('select 1')) },
      { name: 'redis', check: async () => void (await deps.redis.ping()) },
    ],
  });
  app.middleware.unshift((_ctx, next) => RequestContext.create(deps.orm.em, next));
  return app;
}

/** The throttling policy from the configuration (docs/security.md, "Throttling policy"). */
function throttlePolicy(c: AuthConfig): ThrottlePolicy {
  const window = (points: number, durationSeconds: number) => ({ points, durationSeconds });
  return {
    passwordChecks: {
      perAccountAndSource: window(c.LOGIN_FAILURES_PER_ACCOUNT_AND_IP, c.LOGIN_WINDOW_SECONDS),
      perSource: window(c.LOGIN_FAILURES_PER_IP, c.LOGIN_WINDOW_SECONDS),
      perAccount: {
        freeAttempts: c.LOGIN_FREE_ATTEMPTS_PER_ACCOUNT,
        firstDelayMs: c.LOGIN_FIRST_DELAY_MS,
        maxDelayMs: c.LOGIN_MAX_DELAY_MS,
        maxWaitMs: c.LOGIN_MAX_WAIT_MS,
        windowSeconds: c.LOGIN_WINDOW_SECONDS,
      },
    },
    resetRequests: {
      perAccountAndSource: window(c.RESET_REQUESTS_PER_ACCOUNT_AND_IP, c.RESET_WINDOW_SECONDS),
      perSource: window(c.RESET_REQUESTS_PER_IP, c.RESET_WINDOW_SECONDS),
      perAccount: {
        freeAttempts: c.RESET_FREE_REQUESTS_PER_ACCOUNT,
        firstDelayMs: c.RESET_FIRST_DELAY_SECONDS * 1000,
        maxDelayMs: c.RESET_MAX_DELAY_SECONDS * 1000,
        maxWaitMs: 0,
        windowSeconds: c.RESET_WINDOW_SECONDS,
      },
    },
    registrationsPerSource: window(c.REGISTRATIONS_PER_IP_PER_HOUR, 3600),
    verificationMailsPerAccount: window(c.VERIFICATION_MAILS_PER_HOUR, 3600),
    knownSourceDays: c.KNOWN_SOURCE_DAYS,
  };
}
