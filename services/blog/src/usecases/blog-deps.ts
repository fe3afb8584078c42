import type { EntityManager } from '@mikro-orm/postgresql';
import type { UnitOfWork } from '@vcd/messaging';
import type { FollowGraph, UserDirectory } from '../domain/authors.js';
import type { FeedLinks } from '../domain/feed-links.js';
import type { FeedVersions } from '../domain/feed-versions.js';
import type { PublicPageCache } from '../domain/public-page-cache.js';

/** What the blog service's use cases need; app.ts builds it, tests can build their own. Not a use case. */
export interface BlogDeps {
  /** The request's EntityManager (one fork per request). */
  em: () => EntityManager;
  users: UserDirectory;
  /** Whom each viewer follows (cached; dropped by user.followed / user.unfollowed). */
  follows: FollowGraph;
  /** Drops an author's cached card (their profile changed). */
  forgetAuthor: (userId: string) => void;
  /**
   * The one way a use case changes data and emits events: one transaction with the outbox rows, the relay woken
   * after commit (wired in main.ts).
   */
  uow: UnitOfWork;
  now: () => Date;
  /** Pages as anonymous readers see them: article lists, tags, feeds (emptied by every write of this service). */
  publicPages: PublicPageCache;
  /** The feeds' absolute links and title, and their Last-Modified dates. */
  feeds: { links: FeedLinks; versions: FeedVersions };
}
