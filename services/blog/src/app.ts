import { RequestContext } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { subscriptionRouter } from '@vcd/dapr';
import { createServiceApp, type AnyRoute } from '@vcd/http';
import type { Logger } from '@vcd/logging';
import { UnitOfWork, type CommitHooks } from '@vcd/messaging';
import type { FollowGraph, UserDirectory } from './domain/authors.js';
import { FeedLinks, type FeedSettings } from './domain/feed-links.js';
import { FeedVersions } from './domain/feed-versions.js';
import { PublicPageCache } from './domain/public-page-cache.js';
import { followChangedSubscriptions } from './events/follow-changed.handler.js';
import { profileUpdatedSubscription } from './events/profile-updated.handler.js';
import { articleRoutes } from './http/article.routes.js';
import { categoryRoutes } from './http/category.routes.js';
import { commentRoutes } from './http/comment.routes.js';
import { feedRoutes } from './http/feed.routes.js';
import { reactionRoutes } from './http/reaction.routes.js';
import { tagRoutes } from './http/tag.routes.js';
import type { BlogDeps } from './usecases/blog-deps.js';

export interface BlogAppDeps {
  orm: MikroORM;
  logger: Logger;
  appApiToken: string;
  /** Profiles from the user service (one batched call per page). */
  users: UserDirectory;
  /** What happens after a unit of work that recorded events commits (wake the relay, …): wired in main.ts. */
  commitHooks: CommitHooks;
  now?: () => Date;
  /** Article lists and tags for anonymous readers (default: none kept). */
  publicPages?: PublicPageCache;
  /** Drops an author's cached card (profile.updated). */
  forgetAuthor?: (userId: string) => void;
  /** Whom each viewer follows (default: asked of `users` on every page). */
  follows?: FollowGraph;
  /** Absolute links and title of the feeds (default: the development gateway's address). */
  feeds?: FeedSettings;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Writes whose route is a comment's (`/api/articles/:slug/comments…`): what they change is on no public page. */
const changesNoPublicPage = (route: AnyRoute | undefined) => !!route && route.path.includes('/comments');

/** The blog service as a Koa app (tests call it in-process; main.ts listens). */
export function buildApp(deps: BlogAppDeps) {
  const em = () => RequestContext.getEntityManager() as EntityManager;
  const blog: BlogDeps = {
    em,
    uow: new UnitOfWork(em, deps.commitHooks),
    users: deps.users,
    forgetAuthor: deps.forgetAuthor ?? (() => undefined),
    follows: deps.follows ?? { of: async (viewerId) => new Set(await deps.users.following(viewerId)), forget: () => undefined },
    now: deps.now ?? (() => new Date()),
    publicPages: deps.publicPages ?? new PublicPageCache(0),
    feeds: {
      links: new FeedLinks(deps.feeds ?? { publicBaseUrl: 'http://127.0.0.1:8080', title: 'VCD Simple Blog' }),
      versions: new FeedVersions(),
    },
  };
  const app = createServiceApp({
    service: 'blog',
    logger: deps.logger,
    appApiToken: deps.appApiToken,
    // Order matters: /api/articles/feed before /api/articles/:slug.
    routes: [...articleRoutes(blog), ...commentRoutes(blog), ...reactionRoutes(blog), ...categoryRoutes(blog), ...tagRoutes(blog), ...feedRoutes(blog)],
    routers: [
      subscriptionRouter({
        pubsub: 'broadcast',
        logger: deps.logger,
        subscriptions: [profileUpdatedSubscription(blog), ...followChangedSubscriptions(blog)],
      }),
    ],
    readiness: [{ name: 'database', check: async () => void (await deps.orm.em.getConnection().execute('select 1')) }],
  });
  // One EntityManager fork per request.
  app.middleware.unshift((_ctx, next) => RequestContext.create(deps.orm.em, next));
  // Any write (it has committed or failed when the response is ready) empties the anonymous readers' pages, but
  // those to comments and their reactions: no public page (lists, tags, feeds) shows comments.
  app.middleware.unshift(async (ctx, next) => {
    try {
      await next();
    } finally {
      if (!SAFE_METHODS.has(ctx.method) && !changesNoPublicPage(ctx.state.route as AnyRoute | undefined)) blog.publicPages.invalidate();
    }
  });
  return app;
}
