import type { EventSink } from '@vcd/messaging';
import { findCategoryBySlug } from '../db/category.repository.js';
import { BlogErrors } from '../domain/blog-errors.js';
import type { ArticleStatus } from '../domain/workflow.js';
import type { BlogDeps } from './blog-deps.js';

/** Shared steps of the article write use cases (not a use case): their input, its category, workflow events. */

export interface ArticleInput {
  title: string;
  description: string;
  body: string;
  tagList?: string[];
  status?: ArticleStatus;
  publishAt?: Date | null;
  category?: string | null;
}

/** The id of the category an article names (undefined: unchanged, null: none). */
export async function categoryIdOf(deps: Pick<BlogDeps, 'em'>, slug: string | null | undefined): Promise<number | null | undefined> {
  if (slug === undefined) return undefined;
  if (slug === null) return null;
  const category = await findCategoryBySlug(deps.em(), slug);
  if (!category) throw BlogErrors.unknownCategory();
  return category.id;
}

/**
 * The event a workflow change is due, if any: post.published when the article goes live, post.unpublished when a
 * published article leaves that status (unpublish, archive). Moves between private statuses announce nothing.
 * `version` is the article's version after the change.
 */
export function emitWorkflowEvent(
  events: EventSink,
  article: { id: string; slug: string; title: string; authorId: string; status: ArticleStatus; version: number },
  change: { status: ArticleStatus; becamePublished: boolean },
  now: Date,
): boolean {
  if (change.becamePublished) {
    events.emit('post.published', { articleId: article.id, slug: article.slug, title: article.title, authorId: article.authorId, publishedAt: now.toISOString(), version: article.version });
    return true;
  }
  if (article.status === 'published' && change.status !== 'published') {
    events.emit('post.unpublished', { articleId: article.id, authorId: article.authorId, unpublishedAt: now.toISOString(), version: article.version });
    return true;
  }
  return false;
}
