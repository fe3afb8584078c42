import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '@vcd/errors';
import type { UnitOfWork } from '@vcd/messaging';
import type { UserDirectory } from '../domain/authors.js';
import type { ArticleView } from '../domain/article-view.js';
import type { FeedLinks } from '../domain/feed-links.js';
import type { FeedVersions } from '../domain/feed-versions.js';
import type { PublicPageCache } from '../domain/public-page-cache.js';

export interface ArticlePage {
  articles: ArticleView[];
  articlesCount: number;
}

/** What the use cases need: the request's EntityManager, its unit of work, the user directory, a clock. */
export interface BlogDeps {
  em: () => EntityManager;
  users: UserDirectory;
  /** Changes that emit events: one transaction with the outbox rows; the relay is woken after commit. */
  uow: UnitOfWork;
  now: () => Date;
  /** Pages as anonymous readers see them: article lists, tags (emptied by every write of this service). */
  publicPages: PublicPageCache;
  /** The feeds' absolute links and title, and their Last-Modified dates. */
  feeds: { links: FeedLinks; versions: FeedVersions };
}

export const articleNotFound = (slug: string) => notFound('BLOG.ARTICLE_NOT_FOUND', `No article "${slug}"`, 'article');
export const commentNotFound = (id: number) => notFound('BLOG.COMMENT_NOT_FOUND', `No comment ${id} on this article`, 'comment');
export const tagNotFound = (tag: string) => notFound('BLOG.TAG_NOT_FOUND', `No published article is tagged "${tag}"`, 'tag');
export const authorNotFound = (username: string) => notFound('BLOG.AUTHOR_NOT_FOUND', `No author "${username}"`, 'author');
