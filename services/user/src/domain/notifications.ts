import type { NotificationSetting } from './preferences.js';
import type { CommentCreated, ReactionAdded, UserFollowed } from './consumed-events.js';

export type NotificationKind = 'new_post' | 'comment' | 'reply' | 'reaction' | 'new_follower';

/** The preference that switches each kind of notification on or off. */
export const SETTING_OF: Record<NotificationKind, NotificationSetting> = {
  new_post: 'newPosts',
  comment: 'comments',
  reply: 'comments',
  reaction: 'reactions',
  new_follower: 'followers',
};

/**
 * A notification to store for one recipient (if their preferences allow it). Like activity, it names its article
 * by id: the slug and title come from the public-article projection when it is listed, and a notification about an
 * article that is not public is not listed.
 */
export interface NotificationDraft {
  recipientId: string;
  kind: NotificationKind;
  actorId: string;
  articleId?: string | null;
  commentId?: string | null;
  reaction?: string | null;
}

/** Drops drafts addressed to the actor themselves: nobody is notified of their own doing. */
const notSelf = (d: NotificationDraft) => d.recipientId !== d.actorId;

/**
 * A comment notifies the article's author; a reply also notifies the author of the parent comment. Someone who
 * is both gets one notification (the reply), and nobody hears about their own comment.
 */
export function commentNotifications(e: CommentCreated): NotificationDraft[] {
  const base = { actorId: e.authorId, articleId: e.articleId, commentId: e.commentId };
  const drafts: NotificationDraft[] = [];
  if (e.parentAuthorId) drafts.push({ ...base, recipientId: e.parentAuthorId, kind: 'reply' });
  if (e.articleAuthorId !== e.parentAuthorId) drafts.push({ ...base, recipientId: e.articleAuthorId, kind: 'comment' });
  return drafts.filter(notSelf);
}

export function reactionNotifications(e: ReactionAdded): NotificationDraft[] {
  const draft: NotificationDraft = {
    recipientId: e.targetAuthorId,
    kind: 'reaction',
    actorId: e.userId,
    articleId: e.articleId,
    commentId: e.targetType === 'comment' ? e.targetId : null,
    reaction: e.kind,
  };
  return [draft].filter(notSelf);
}

export function followerNotifications(e: UserFollowed): NotificationDraft[] {
  const draft: NotificationDraft = { recipientId: e.followeeId, kind: 'new_follower', actorId: e.followerId };
  return [draft].filter(notSelf);
}

/** A notification as the API shows it. */
export interface NotificationView {
  id: string;
  kind: string;
  read: boolean;
  createdAt: string;
  actor: { username: string; image: string | null } | null;
  article: { slug: string; title: string | null } | null;
  commentId: string | null;
  reaction: string | null;
}

export interface NotificationRecord {
  id: string;
  kind: string;
  readAt: Date | null;
  createdAt: Date;
  actorUsername: string | null;
  actorImage: string | null;
  articleSlug: string | null;
  articleTitle: string | null;
  commentId: string | null;
  reaction: string | null;
}

export const toNotificationView = (n: NotificationRecord): NotificationView => ({
  id: n.id,
  kind: n.kind,
  read: n.readAt !== null,
  createdAt: new Date(n.createdAt).toISOString(),
  actor: n.actorUsername ? { username: n.actorUsername, image: n.actorImage } : null,
  article: n.articleSlug ? { slug: n.articleSlug, title: n.articleTitle } : null,
  commentId: n.commentId,
  reaction: n.reaction,
});
