import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { RequestContext } from '@mikro-orm/core';
import { subscriptionRouter } from '@vcd/dapr';
import { createServiceApp } from '@vcd/http';
import type { Logger } from '@vcd/logging';
import { newServiceStats, type ServiceStats } from './domain/call-stats.js';
import { userServiceSubscriptions } from './events/notification-events.handler.js';
import { userRegisteredSubscription, userUpdatedSubscription } from './events/profile-events.handler.js';
import { userRpcRouter } from './grpc/user.rpc.js';
import { internalRoutes } from './http/internal.routes.js';
import { notificationRoutes } from './http/notification.routes.js';
import { preferenceRoutes } from './http/preference.routes.js';
import { profileRoutes } from './http/profile.routes.js';

export interface UserAppDeps {
  orm: MikroORM;
  logger: Logger;
  appApiToken: string;
  /** Called after a transaction that wrote outbox events committed (the relay publishes them at once). */
  afterCommit?: () => void;
  stats?: ServiceStats;
}

/** The user service as a Koa app (tests call it in-process; main.ts listens). */
export function buildApp(deps: UserAppDeps) {
  const em = () => RequestContext.getEntityManager() as EntityManager;
  const afterCommit = deps.afterCommit ?? (() => undefined);
  const stats = deps.stats ?? newServiceStats();
  const consumerDeps = { em: deps.orm.em, stats, afterCommit };
  const app = createServiceApp({
    service: 'user',
    logger: deps.logger,
    appApiToken: deps.appApiToken,
    routes: [
      ...profileRoutes({ em, afterCommit }),
      ...preferenceRoutes({ em }),
      ...notificationRoutes({ em }),
      ...internalRoutes({ em, afterCommit, stats }),
    ],
    routers: [
      userRpcRouter({ em, stats }),
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
