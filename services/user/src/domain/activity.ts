import type { CommentCreated, PostPublished, ReactionAdded } from './consumed-events.js';

type ActivityKind = 'published' | 'commented' | 'reacted';

/**
 * One thing a user did on the blog, derived from a blog event. It names the article by id only: its slug and
 * title are shown from the public-article projection (db/article.repository.ts), so an entry about an article
 * that is not public (a draft, unpublished, archived, deleted) is not shown at all.
 */
export interface ActivityDraft {
  userId: string;
  kind: ActivityKind;
  articleId: string;
  commentId?: string | null;
  targetType?: 'article' | 'comment' | null;
  reaction?: string | null;
  at?: string;
}

export const publishedActivity = (e: PostPublished): ActivityDraft => ({
  userId: e.authorId,
  kind: 'published',
  articleId: e.articleId,
  at: e.publishedAt,
});

export const commentedActivity = (e: CommentCreated): ActivityDraft => ({
  userId: e.authorId,
  kind: 'commented',
  articleId: e.articleId,
  commentId: e.commentId,
});

export const reactedActivity = (e: ReactionAdded): ActivityDraft => ({
  userId: e.userId,
  kind: 'reacted',
  articleId: e.articleId,
  targetType: e.targetType,
  commentId: e.targetType === 'comment' ? e.targetId : null,
  reaction: e.kind,
});

export interface ActivityView {
  kind: string;
  createdAt: string;
  article: { slug: string; title: string | null };
  commentId: string | null;
  targetType: string | null;
  reaction: string | null;
}

/** An entry as listed: only entries about public articles are, with the article's current slug and title. */
export interface ActivityRecord {
  kind: string;
  createdAt: Date;
  articleSlug: string;
  articleTitle: string | null;
  commentId: string | null;
  targetType: string | null;
  reaction: string | null;
}

export const toActivityView = (a: ActivityRecord): ActivityView => ({
  kind: a.kind,
  createdAt: new Date(a.createdAt).toISOString(),
  article: { slug: a.articleSlug, title: a.articleTitle },
  commentId: a.commentId,
  targetType: a.targetType,
  reaction: a.reaction,
});
