import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { RequestContext } from '@mikro-orm/core';
import { subscriptionRouter } from '@vcd/dapr';
import { createServiceApp } from '@vcd/http';
import type { Logger } from '@vcd/logging';
import { UnitOfWork, type CommitHooks } from '@vcd/messaging';
import { newServiceStats, type ServiceStats } from './domain/call-stats.js';
import { userServiceSubscriptions } from './events/notification-events.handler.js';
import { userRegisteredSubscription, userUpdatedSubscription } from './events/profile-events.handler.js';
import { userRpcRouter } from './rpc/user.rpc.js';
import { internalRoutes } from './http/internal.routes.js';
import { notificationRoutes } from './http/notification.routes.js';
import { preferenceRoutes } from './http/preference.routes.js';
import { profileRoutes } from './http/profile.routes.js';
import type { UserDeps } from './usecases/user-deps.js';

export interface UserAppDeps {
  orm: MikroORM;
  logger: Logger;
  appApiToken: string;
  /** What happens after a unit of work that wrote events committed (main.ts: wake the outbox relay). */
  commitHooks?: CommitHooks;
  stats?: ServiceStats;
}

/** The user service as a Koa app (tests call it in-process; main.ts listens). */
export function buildApp(deps: UserAppDeps) {
  const em = () => RequestContext.getEntityManager() as EntityManager;
  const stats = deps.stats ?? newServiceStats();
  const useCaseDeps: UserDeps = { em, work: new UnitOfWork(em, deps.commitHooks), stats };
  // Event handlers run on a fork of the service's EntityManager, not the request's.
  const consumerDeps = { work: new UnitOfWork(() => deps.orm.em.fork(), deps.commitHooks), stats };
  const app = createServiceApp({
    service: 'user',
    logger: deps.logger,
    appApiToken: deps.appApiToken,
    routes: [
      ...profileRoutes(useCaseDeps),
      ...preferenceRoutes(useCaseDeps),
      ...notificationRoutes(useCaseDeps),
      ...internalRoutes(useCaseDeps),
    ],
    routers: [
      userRpcRouter(useCaseDeps),
      subscriptionRouter({
        logger: deps.logger,
        subscriptions: [userRegisteredSubscription(consumerDeps), userUpdatedSubscription(consumerDeps), ...userServiceSubscriptions(consumerDeps)],
      }),
    ],
    readiness: [{ name: 'database', check: async () => void (await deps.orm.em.getConnection().execute('select 1')) }],
  });
  // One EntityManager fork per request.
  app.middleware.unshift((_ctx, next) => RequestContext.create(deps.orm.em, next));
  return app;
}
