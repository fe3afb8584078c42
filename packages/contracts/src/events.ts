import { z } from 'zod';

/**
 * The event catalogue: one zod schema per topic for the payload (the CloudEvent `data`). Publishers are typed by it
 * (`EventPayloads`, through the unit of work), consumers parse with it (`subscription` in @vcd/messaging), and the
 * AsyncAPI document is generated from it. CloudEvent `id` is the publisher's outbox row id, `source` the publishing
 * service, `type` the topic. Schemas accept fields they do not know and drop them (z.object strips), so a
 * publisher may add a field before its consumers know it; removing or retyping a field is a breaking change.
 */
const userId = z.uuid().describe('An account id (auth)');
const username = z.string().min(1).max(255);
const email = z.string().min(3).max(320);
/** Blog ids: article ids are UUIDs and comment ids integers today; consumers treat both as opaque strings. */
const articleId = z.string().min(1).max(64).describe("An article's id (blog)");
const opaqueId = z.string().min(1).max(64);
const slug = z.string().min(1).max(255);
const title = z.string().max(1000);
const time = z.iso.datetime({ offset: true });
/**
 * The article's version after the change an event reports: blog increments it with every change of the article, in
 * the same transaction that writes the event, so a consumer applies an event only if its version is newer than the
 * one it holds (events are delivered in no guaranteed order). 0: an event written before versions existed.
 */
const version = z.number().int().min(0).max(2_147_483_647).default(0).describe("The article's version after this change (per-article, increasing)");

/**
 * The account's identity version after the change (auth: 1 at registration, one more per username or e-mail
 * change), so the user service applies a rename only if it is newer. Absent from events written before it existed.
 */
const identityVersion = z.number().int().positive().optional().describe("The account's identity version after this change (per-account, increasing)");

export const eventSchemas = {
  /** auth: an account was created. */
  'user.registered': z.object({ userId, username, email, version: identityVersion }).describe('auth: an account was created'),
  /** auth: username or e-mail changed (extension of the brief's catalogue; the user service renames the profile). */
  'user.updated': z.object({ userId, username, email, version: identityVersion }).describe("auth: an account's username or e-mail changed"),
  'user.verified': z.object({ userId }).describe('auth: an account confirmed its e-mail address'),
  'user.password_reset_requested': z.object({ userId, email }).describe('auth: a password reset was requested'),
  /** auth: an admin changed a user's role; the gateway drops that user's cached sessions so it applies at once. */
  'user.role_changed': z
    .object({ userId, role: z.enum(['user', 'editor', 'admin']) })
    .describe("auth: an admin changed a user's role (urgent: published right after commit)"),
  /** auth: one or all sessions of a user ended (logout, revoke, reset, reuse detection). */
  'session.revoked': z
    .object({ userId, sessionIds: z.array(z.string().min(1).max(64)), reason: z.string().max(200) })
    .describe('auth: sessions of a user ended (logout, revoke, password reset, reuse detection; urgent)'),
  /** user: bio/image changed. */
  'profile.updated': z
    .object({ userId, username, bio: z.string().max(10_000).nullable(), image: z.string().max(2048).nullable() })
    .describe("user: a profile's bio or image changed"),
  'user.followed': z.object({ followerId: userId, followeeId: userId }).describe('user: a user followed another'),
  'user.unfollowed': z.object({ followerId: userId, followeeId: userId }).describe('user: a user stopped following another'),
  /*
   * blog events carry an article's slug and title only while it is public (published), and only in post.published
   * and post.updated: comment.created, reaction.added, post.unpublished and post.deleted name it by `articleId`, so
   * no payload reveals a draft, a scheduled article or one archived before it was ever published. Consumers that
   * show articles keep their own projection of what is public (the user service: activity and notifications).
   */
  /** blog: an article became published (now, or when its schedule fired). */
  'post.published': z
    .object({ articleId, slug, title, authorId: userId, publishedAt: time, version })
    .describe('blog: an article became published (now, or when its schedule fired)'),
  /** blog: a published article's title, slug or content changed (only while it is published). */
  'post.updated': z
    .object({ articleId, slug, title, authorId: userId, updatedAt: time, version })
    .describe("blog: a published article's title, slug or content changed"),
  /**
   * blog: a published article stopped being public (unpublished back to draft, archived, or moved to another
   * status by an update). Consumers hide what its publication caused (activity, notifications) until a newer
   * post.published; `unpublishedAt` orders it against post.published/post.updated of the same article.
   */
  'post.unpublished': z
    .object({ articleId, authorId: userId, unpublishedAt: time, version })
    .describe('blog: a published article stopped being public (unpublished, archived)'),
  /** blog: an article (in any status) was deleted; consumers drop what they hold about it, for good. */
  'post.deleted': z.object({ articleId, authorId: userId, version }).describe('blog: an article (in any status) was deleted'),
  /** blog: parentAuthorId is set for replies. The body and the article's slug stay in blog. */
  'comment.created': z
    .object({
      commentId: opaqueId,
      articleId,
      articleAuthorId: userId,
      authorId: userId,
      parentId: opaqueId.nullable(),
      parentAuthorId: userId.nullable(),
    })
    .describe('blog: a comment (or a reply: parentId set) was added to an article'),
  /** blog: target is an article or a comment (of article `articleId`); targetAuthorId is who gets notified. */
  'reaction.added': z
    .object({
      kind: z.string().min(1).max(32),
      userId,
      targetType: z.enum(['article', 'comment']),
      targetId: opaqueId,
      articleId,
      targetAuthorId: userId,
    })
    .describe('blog: a first reaction of a kind by a user on an article or a comment'),
} as const;

export type Topic = keyof typeof eventSchemas;
/** Topic → payload type, inferred from the schemas (what publishers emit and consumers receive). */
export type EventPayloads = { [T in Topic]: z.infer<(typeof eventSchemas)[T]> };
export const TOPICS = Object.keys(eventSchemas) as Topic[];
export const DEAD_LETTER_TOPIC = 'deadletter';

export const isTopic = (value: string): value is Topic => Object.hasOwn(eventSchemas, value);

/** The payload of `topic` parsed with its schema, or the reason it does not match the catalogue. */
export function parseEventData<T extends Topic>(topic: T, data: unknown): { ok: true; data: EventPayloads[T] } | { ok: false; error: string } {
  const result = eventSchemas[topic].safeParse(data);
  if (result.success) return { ok: true, data: result.data as EventPayloads[T] };
  return { ok: false, error: result.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ').slice(0, 500) };
}

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
