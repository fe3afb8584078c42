import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '@vcd/errors';
import type { UserDirectory } from '../domain/authors.js';
import type { ArticleView } from '../domain/article-view.js';
import type { FeedLinks } from '../domain/feed-links.js';
import type { FeedVersions } from '../domain/feed-versions.js';
import type { PublicPageCache } from '../domain/public-page-cache.js';

export interface ArticlePage {
  articles: ArticleView[];
  articlesCount: number;
}

/** What the use cases need: the request's EntityManager, the user directory, the relay's wake-up, a clock. */
export interface BlogDeps {
  em: () => EntityManager;
  users: UserDirectory;
  /** Call after a transaction that enqueued events has committed (wakes the outbox relay). */
  afterCommit: () => void;
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
