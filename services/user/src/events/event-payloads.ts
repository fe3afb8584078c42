import { z } from 'zod';
import type {
  CommentCreated,
  PostDeleted,
  PostPublished,
  PostUnpublished,
  PostUpdated,
  ReactionAdded,
  UserFollowed,
  UserRegistered,
  UserUpdated,
} from '../domain/consumed-events.js';

/**
 * The payloads this service consumes, checked at the edge: an event that does not parse can never succeed
 * (it is dropped to the dead-letter topic). Unknown extra fields are ignored, as the catalogue asks.
 */
const id = z.string().uuid();
const slug = z.string().min(1).max(255);
const articleId = z.string().min(1).max(64);
const time = z.string().datetime({ offset: true });

const schemas = {
  // version: the account's identity version (absent from events written before it existed).
  'user.registered': z.object({ userId: id, username: z.string().min(1).max(255), version: z.number().int().positive().optional() }),
  'user.updated': z.object({ userId: id, username: z.string().min(1).max(255), version: z.number().int().positive().optional() }),
  'user.followed': z.object({ followerId: id, followeeId: id }),
  'post.published': z.object({ articleId, slug, title: z.string().max(1000), authorId: id, publishedAt: time.optional() }),
  'post.updated': z.object({ articleId, slug, title: z.string().max(1000), updatedAt: time }),
  'post.unpublished': z.object({ articleId, unpublishedAt: time }),
  'post.deleted': z.object({ articleId }),
  'comment.created': z.object({
    commentId: z.coerce.string().min(1).max(64),
    articleId,
    articleAuthorId: id,
    authorId: id,
    parentId: z.coerce.string().max(64).nullable().optional(),
    parentAuthorId: id.nullable().optional(),
  }),
  'reaction.added': z.object({
    kind: z.string().min(1).max(32),
    userId: id,
    targetType: z.enum(['article', 'comment']),
    targetId: z.coerce.string().min(1).max(64),
    articleId,
    targetAuthorId: id,
  }),
};

export type ConsumedTopic = keyof typeof schemas;
export type * from '../domain/consumed-events.js';
/** The payload of `topic`, or undefined when it is permanently invalid. */
export function parsePayload(topic: 'user.registered', data: unknown): UserRegistered | undefined;
export function parsePayload(topic: 'user.updated', data: unknown): UserUpdated | undefined;
export function parsePayload(topic: 'user.followed', data: unknown): UserFollowed | undefined;
export function parsePayload(topic: 'post.published', data: unknown): PostPublished | undefined;
export function parsePayload(topic: 'post.updated', data: unknown): PostUpdated | undefined;
export function parsePayload(topic: 'post.unpublished', data: unknown): PostUnpublished | undefined;
export function parsePayload(topic: 'post.deleted', data: unknown): PostDeleted | undefined;
export function parsePayload(topic: 'comment.created', data: unknown): CommentCreated | undefined;
export function parsePayload(topic: 'reaction.added', data: unknown): ReactionAdded | undefined;
export function parsePayload(topic: ConsumedTopic, data: unknown): unknown {
  const result = schemas[topic].safeParse(data);
  return result.success ? result.data : undefined;
}
