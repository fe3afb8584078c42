/**
 * The event catalogue: topic → payload (the CloudEvent `data`). CloudEvent `id` is the publisher's outbox row
 * id, `source` the publishing service, `type` the topic. Consumers must ignore fields they do not know.
 */
export interface EventPayloads {
  /** auth: an account was created. */
  'user.registered': { userId: string; username: string; email: string };
  /** auth: username or e-mail changed (extension of the brief's catalogue; the user service renames the profile). */
  'user.updated': { userId: string; username: string; email: string };
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
  /** blog: an article became published (now, or when its schedule fired). */
  'post.published': { articleId: string; slug: string; title: string; authorId: string; publishedAt: string };
  'post.updated': { articleId: string; slug: string; title: string; authorId: string };
  'post.deleted': { articleId: string; slug: string; authorId: string };
  /** blog: parentAuthorId is set for replies. */
  'comment.created': {
    commentId: string;
    articleId: string;
    articleSlug: string;
    articleAuthorId: string;
    authorId: string;
    parentId: string | null;
    parentAuthorId: string | null;
    body: string;
  };
  /** blog: target is an article or a comment; targetAuthorId is who gets notified. */
  'reaction.added': {
    kind: string;
    userId: string;
    targetType: 'article' | 'comment';
    targetId: string;
    articleSlug: string;
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
  'post.deleted': 'blog',
  'comment.created': 'blog',
  'reaction.added': 'blog',
} as const satisfies Record<Topic, string>;
