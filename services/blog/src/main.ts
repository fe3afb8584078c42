import { DaprGrpcInvoker } from '@vcd/contracts';
import { relayHooks, UnitOfWork } from '@vcd/messaging';
import { bootService } from '@vcd/db';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { blogDatabase } from './db/orm.config.js';
import { CachedUserDirectory } from './clients/cached-user-directory.js';
import { FollowedAuthors } from './clients/followed-authors.js';
import { GrpcUserDirectory } from './clients/user-directory.js';
import { PostScheduler } from './jobs/post-scheduler.js';
import { PublicPageCache } from './domain/public-page-cache.js';

let scheduler: PostScheduler | undefined;

bootService({
  service: 'blog',
  loadConfig,
  database: blogDatabase,
  buildApp: ({ orm, logger, config, relay }) => {
    const publicPages = new PublicPageCache(config.PUBLIC_PAGE_CACHE_TTL_MS);
    // Every committed unit of work that emitted events wakes the relay. The anonymous readers' pages are emptied by
    // the writes that change them: requests' in app.ts, the scheduler's publications in publish-due-posts.
    const commitHooks = relayHooks({ relays: [relay] });
    const grpc = new DaprGrpcInvoker({ host: config.DAPR_HOST, grpcPort: config.DAPR_GRPC_PORT, apiToken: config.DAPR_API_TOKEN });
    const directory = new GrpcUserDirectory(grpc);
    const users = new CachedUserDirectory(directory, config.AUTHOR_CACHE_TTL_MS);
    scheduler = new PostScheduler({ uow: new UnitOfWork(() => orm.em.fork(), commitHooks), logger, publicPages }, { pollMs: config.SCHEDULER_POLL_MS });
    scheduler.start();
    return buildApp({
      orm,
      logger,
      appApiToken: config.APP_API_TOKEN,
      users,
      commitHooks,
      publicPages,
      forgetAuthor: (id) => users.forget(id),
      follows: new FollowedAuthors(directory, config.FOLLOW_CACHE_TTL_MS),
      feeds: { publicBaseUrl: config.PUBLIC_BASE_URL, title: config.FEED_TITLE, siteUrl: config.FEED_SITE_URL, articleUrlTemplate: config.FEED_ARTICLE_URL },
    });
  },
  onShutdown: async () => {
    await scheduler?.stop();
  },
});
