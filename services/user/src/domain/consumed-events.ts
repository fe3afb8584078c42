import type { EventPayloads } from '@vcd/contracts';

/** The events this service consumes, as its use cases read them (parsed at the edge: events/event-payloads.ts). */
export type UserRegistered = Pick<EventPayloads['user.registered'], 'userId' | 'username'> & { version?: number };
export type UserUpdated = Pick<EventPayloads['user.updated'], 'userId' | 'username'> & { version?: number };
export type UserFollowed = EventPayloads['user.followed'];
export type PostPublished = Omit<EventPayloads['post.published'], 'publishedAt'> & { publishedAt?: string };
export type PostUpdated = Omit<EventPayloads['post.updated'], 'authorId'>;
export type PostUnpublished = Omit<EventPayloads['post.unpublished'], 'authorId'>;
export type PostDeleted = Pick<EventPayloads['post.deleted'], 'articleId'>;
export type CommentCreated = Omit<EventPayloads['comment.created'], 'parentId' | 'parentAuthorId'> & {
  parentId?: string | null;
  parentAuthorId?: string | null;
};
export type ReactionAdded = EventPayloads['reaction.added'];
