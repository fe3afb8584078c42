import type { AuthorProfile } from './authors.js';
import { reactionCounts, type ReactionKind } from './reactions.js';
import type { ArticleStatus } from './workflow.js';

/** An article as read from the database, with its tags and counts. */
export interface ArticleRecord {
  id: string;
  slug: string;
  title: string;
  description: string;
  body: string | null;
  authorId: string;
  status: ArticleStatus;
  publishAt: Date | null;
  publishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  category: string | null;
  tagList: string[];
  favoritesCount: number;
  favorited: boolean;
  reactions: Record<string, number>;
  myReactions: string[];
}

export interface ArticleView {
  slug: string;
  title: string;
  description: string;
  body?: string;
  tagList: string[];
  createdAt: string;
  updatedAt: string;
  favorited: boolean;
  favoritesCount: number;
  author: AuthorProfile;
  status: ArticleStatus;
  publishAt: string | null;
  publishedAt: string | null;
  category: string | null;
  reactions: Record<ReactionKind, number>;
  myReactions: string[];
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** RealWorld's article (lists leave out `body`), plus the workflow, category and reaction extensions. */
export function toArticleView(a: ArticleRecord, author: AuthorProfile, options: { withBody: boolean }): ArticleView {
  return {
    slug: a.slug,
    title: a.title,
    description: a.description,
    ...(options.withBody ? { body: a.body ?? '' } : {}),
    tagList: [...a.tagList].sort(),
    createdAt: new Date(a.createdAt).toISOString(),
    updatedAt: new Date(a.updatedAt).toISOString(),
    favorited: a.favorited,
    favoritesCount: a.favoritesCount,
    author,
    status: a.status,
    publishAt: iso(a.publishAt),
    publishedAt: iso(a.publishedAt),
    category: a.category,
    reactions: reactionCounts(a.reactions),
    myReactions: [...a.myReactions].sort(),
  };
}

export interface CommentRecord {
  id: number;
  articleId: string;
  authorId: string;
  parentId: number | null;
  body: string;
  createdAt: Date;
  updatedAt: Date;
  reactions: Record<string, number>;
  myReactions: string[];
}

export function toCommentView(c: CommentRecord, author: AuthorProfile) {
  return {
    id: c.id,
    createdAt: new Date(c.createdAt).toISOString(),
    updatedAt: new Date(c.updatedAt).toISOString(),
    body: c.body,
    author,
    parentId: c.parentId,
    reactions: reactionCounts(c.reactions),
    myReactions: [...c.myReactions].sort(),
  };
}

/** Tags as given, trimmed, without duplicates, sorted. */
export const normalizeTags = (tags: string[]) => [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))].sort();
