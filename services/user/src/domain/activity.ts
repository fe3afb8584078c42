import type { CommentCreated, PostPublished, ReactionAdded } from './event-payloads.js';

export type ActivityKind = 'published' | 'commented' | 'reacted';

/** One thing a user did on the blog, derived from a blog event. */
export interface ActivityDraft {
  userId: string;
  kind: ActivityKind;
  articleSlug: string;
  articleTitle?: string | null;
  commentId?: string | null;
  targetType?: 'article' | 'comment' | null;
  reaction?: string | null;
  at?: string;
}

export const publishedActivity = (e: PostPublished): ActivityDraft => ({
  userId: e.authorId,
  kind: 'published',
  articleSlug: e.slug,
  articleTitle: e.title,
  at: e.publishedAt,
});

export const commentedActivity = (e: CommentCreated): ActivityDraft => ({
  userId: e.authorId,
  kind: 'commented',
  articleSlug: e.articleSlug,
  commentId: e.commentId,
});

export const reactedActivity = (e: ReactionAdded): ActivityDraft => ({
  userId: e.userId,
  kind: 'reacted',
  articleSlug: e.articleSlug,
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

export interface ActivityRecord {
  kind: string;
  createdAt: Date;
  articleSlug: string | null;
  articleTitle: string | null;
  commentId: string | null;
  targetType: string | null;
  reaction: string | null;
}

export const toActivityView = (a: ActivityRecord): ActivityView => ({
  kind: a.kind,
  createdAt: new Date(a.createdAt).toISOString(),
  article: { slug: a.articleSlug ?? '', title: a.articleTitle },
  commentId: a.commentId,
  targetType: a.targetType,
  reaction: a.reaction,
});
