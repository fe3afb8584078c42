import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { RequestContext } from '@mikro-orm/core';
import { subscriptionRouter } from '@vcd/dapr';
import { createServiceApp } from '@vcd/http';
import type { Logger } from '@vcd/logging';
import { userRegisteredSubscription } from './events/user-registered.handler.js';
import { profileRoutes } from './http/profile.routes.js';

export interface UserAppDeps {
  orm: MikroORM;
  logger: Logger;
  appApiToken: string;
}

/** The user service as a Koa app (tests call it in-process; main.ts listens). */
export function buildApp(deps: UserAppDeps) {
  const em = () => RequestContext.getEntityManager() as EntityManager;
  const app = createServiceApp({
    service: 'user',
    logger: deps.logger,
    appApiToken: deps.appApiToken,
    routes: [...profileRoutes({ em })],
    routers: [subscriptionRouter({ logger: deps.logger, subscriptions: [userRegisteredSubscription({ em: deps.orm.em })] })],
    readiness: [{ name: 'database', check: async () => void (await deps.orm.em.getConnection().execute('select 1')) }],
  });
  // One EntityManager fork per request.
  app.middleware.unshift((_ctx, next) => RequestContext.create(deps.orm.em, next));
  return app;
}
