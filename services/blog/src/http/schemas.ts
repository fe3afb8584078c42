import { z } from 'zod';
import { REACTION_KINDS } from '../domain/reactions.js';
import { STATUSES } from '../domain/workflow.js';

/** Request limits: what a sane client sends (bodies above the route's bodyLimit get 413 before parsing). */
export const LIMITS = {
  articleBodyBytes: 128 * 1024,
  commentBodyBytes: 16 * 1024,
  smallBodyBytes: 4 * 1024,
  maxPage: 100,
} as const;

const blank = "can't be blank";

export const Slug = z.string().min(1).max(200);
export const CommentId = z.coerce.number().int().positive().max(2_147_483_647);
export const Kind = z.enum(REACTION_KINDS);
const PublishAt = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(LIMITS.maxPage).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

export const ListQuery = z.object({
  tag: z.string().min(1).max(64).optional(),
  author: z.string().min(1).max(64).optional(),
  favorited: z.string().min(1).max(64).optional(),
  status: z.enum(STATUSES).optional(),
  category: z.string().min(1).max(80).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  ...PageQuery,
});

const Title = z.string().trim().min(1, blank).max(200);
const Description = z.string().trim().max(1000);
const Body = z.string().min(1, blank).max(50_000);
const TagList = z.array(z.string().trim().min(1, blank).max(64)).max(20);
const CategorySlug = z.string().min(1).max(80);

export const NewArticleBody = z.object({
  article: z.object({
    title: Title,
    description: Description,
    body: Body,
    tagList: TagList.optional(),
    status: z.enum(['draft', 'scheduled', 'published']).optional(),
    publishAt: PublishAt.nullable().optional(),
    category: CategorySlug.nullable().optional(),
  }),
});

export const UpdateArticleBody = z.object({
  article: z.object({
    title: Title.optional(),
    description: Description.optional(),
    body: Body.optional(),
    tagList: TagList.optional(),
    status: z.enum(STATUSES).optional(),
    publishAt: PublishAt.nullable().optional(),
    category: CategorySlug.nullable().optional(),
  }),
});

export const PublishBody = z.object({ article: z.object({ publishAt: PublishAt.nullable().optional() }) }).optional();

export const NewCommentBody = z.object({
  comment: z.object({ body: z.string().trim().min(1, blank).max(10_000), parentId: z.number().int().positive().nullable().optional() }),
});
export const EditCommentBody = z.object({ comment: z.object({ body: z.string().trim().min(1, blank).max(10_000) }) });

export const NewCategoryBody = z.object({
  category: z.object({ name: z.string().trim().min(1, blank).max(80), description: z.string().max(1000).optional() }),
});
export const UpdateCategoryBody = z.object({
  category: z.object({ name: z.string().trim().min(1, blank).max(80).optional(), description: z.string().max(1000).optional() }),
});

// Response shapes (documentation).
const ProfileSchema = z.object({ username: z.string(), bio: z.string().nullable(), image: z.string().nullable(), following: z.boolean() });
const Reactions = z.record(z.string(), z.number().int());
const ArticleFields = {
  slug: z.string(),
  title: z.string(),
  description: z.string(),
  tagList: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  favorited: z.boolean(),
  favoritesCount: z.number().int(),
  author: ProfileSchema,
  status: z.enum(STATUSES),
  publishAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  category: z.string().nullable(),
  reactions: Reactions,
  myReactions: z.array(z.string()),
};
export const SingleArticle = z.object({ article: z.object({ ...ArticleFields, body: z.string() }) });
export const MultipleArticles = z.object({ articles: z.array(z.object(ArticleFields)), articlesCount: z.number().int() });
export const CommentSchema = z.object({
  id: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  body: z.string(),
  author: ProfileSchema,
  parentId: z.number().int().nullable(),
  reactions: Reactions,
  myReactions: z.array(z.string()),
});
export const CategorySchema = z.object({ slug: z.string(), name: z.string(), description: z.string() });
