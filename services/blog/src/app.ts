import { RequestContext } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { createServiceApp } from '@vcd/http';
import type { Logger } from '@vcd/logging';
import { tagRoutes } from './http/tag.routes.js';

export interface BlogAppDeps {
  orm: MikroORM;
  logger: Logger;
  appApiToken: string;
}

/** The blog service as a Koa app (tests call it in-process; main.ts listens). */
export function buildApp(deps: BlogAppDeps) {
  const em = () => RequestContext.getEntityManager() as EntityManager;
  const app = createServiceApp({
    service: 'blog',
    logger: deps.logger,
    appApiToken: deps.appApiToken,
    routes: [...tagRoutes({ em })],
    readiness: [{ name: 'database', check: async () => void (await deps.orm.em.getConnection().execute('select 1')) }],
  });
  app.middleware.unshift((_ctx, next) => RequestContext.create(deps.orm.em, next));
  return app;
}
