/**
 * The event catalogue: topic → payload (the CloudEvent `data`). CloudEvent `id` is the publisher's outbox row
 * id, `source` the publishing service, `type` the topic. Consumers must ignore fields they do not know.
 */
export interface EventPayloads {
  /** auth: an account was created. */
  'user.registered': { userId: string; username: string; email: string; version: number };
  /** auth: username or e-mail changed (extension of the brief's catalogue; the user service renames the profile). */
  'user.updated': { userId: string; username: string; email: string; version: number };
  'user.verified': { userId: string };
  'user.password_reset_requested': { userId: string; email: string };
  /** auth: an admin changed a user's role; the gateway drops that user's cached sessions so it applies at once. */
  'user.role_changed': { userId: string; role: 'user' | 'editor' | 'admin' };
  /** auth: one or all sessions of a user ended (logout, revoke, reset, reuse detection). */
  'session.revoked': { userId: string; sessionIds: string[]; reason: string };
  /** user: bio/image changed. */
  'profile.updated': { userId: string; username: string; bio: string | null; image: string | null };
  'user.followed': { followerId: string; followeeId: string };
  'user.unfollowed': { followerId: string; followeeId: string };
  /**
   * blog events carry an article's slug and title only while it is public (published), and only in post.published
   * and post.updated: comment.created, reaction.added, post.unpublished and post.deleted name it by `articleId`, so
   * no payload reveals a draft, a scheduled article or one archived before it was ever published. Consumers that
   * show articles keep their own projection of what is public (the user service: activity and notifications).
   */
  /** blog: an article became published (now, or when its schedule fired). */
  'post.published': { articleId: string; slug: string; title: string; authorId: string; publishedAt: string };
  /** blog: a published article's title, slug or content changed (only while it is published). */
  'post.updated': { articleId: string; slug: string; title: string; authorId: string; updatedAt: string };
  /**
   * blog: a published article stopped being public (unpublished back to draft, archived, or moved to another
   * status by an update). Consumers hide what its publication caused (activity, notifications) until a newer
   * post.published; `unpublishedAt` orders it against post.published/post.updated of the same article.
   */
  'post.unpublished': { articleId: string; authorId: string; unpublishedAt: string };
  /** blog: an article (in any status) was deleted; consumers drop what they hold about it, for good. */
  'post.deleted': { articleId: string; authorId: string };
  /** blog: parentAuthorId is set for replies. The body and the article's slug stay in blog. */
  'comment.created': {
    commentId: string;
    articleId: string;
    articleAuthorId: string;
    authorId: string;
    parentId: string | null;
    parentAuthorId: string | null;
  };
  /** blog: target is an article or a comment (of article `articleId`); targetAuthorId is who gets notified. */
  'reaction.added': {
    kind: string;
    userId: string;
    targetType: 'article' | 'comment';
    targetId: string;
    articleId: string;
    targetAuthorId: string;
  };
}

export type Topic = keyof EventPayloads;
export const DEAD_LETTER_TOPIC = 'deadletter';

/**
 * Who publishes each topic: the app id its relay writes as the CloudEvent `source`. Consumers accept a topic only
 * from its publisher (Subscription.publishers), and the pub/sub components' publishingScopes let only that app
 * publish it (test/deploy/pubsub-scopes.test.ts compares the two).
 */
export const PUBLISHER_OF = {
  'user.registered': 'auth',
  'user.updated': 'auth',
  'user.verified': 'auth',
  'user.password_reset_requested': 'auth',
  'user.role_changed': 'auth',
  'session.revoked': 'auth',
  'profile.updated': 'user',
  'user.followed': 'user',
  'user.unfollowed': 'user',
  'post.published': 'blog',
  'post.updated': 'blog',
  'post.unpublished': 'blog',
  'post.deleted': 'blog',
  'comment.created': 'blog',
  'reaction.added': 'blog',
} as const satisfies Record<Topic, string>;
