import { z } from 'zod';
import { defineRoute } from '@vcd/http';
import { FAVORITE } from '../domain/reactions.js';
import type { BlogDeps } from '../usecases/blog-deps.js';
import { addReaction } from '../usecases/add-reaction.js';
import { removeReaction } from '../usecases/remove-reaction.js';
import { requireViewer } from './viewer.js';
import { CommentId, CommentSchema, Kind, SingleArticle, Slug } from './schemas.js';

const invalid = { description: 'Invalid input: {"errors":{field:[message]}}' };

export function reactionRoutes(deps: BlogDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/articles/:slug/favorite',
      operationId: 'CreateArticleFavorite',
      summary: 'Favorite an article',
      tags: ['Favorites'],
      auth: 'user',
      style: 'realworld',
      request: { params: z.object({ slug: Slug }) },
      responses: { 200: { description: 'The article', schema: SingleArticle }, 404: { description: 'No such article' } },
      handler: async ({ params }, ctx) => ({ body: await addReaction(deps, requireViewer(ctx), { slug: params.slug }, FAVORITE) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/articles/:slug/favorite',
      operationId: 'DeleteArticleFavorite',
      summary: 'Unfavorite an article',
      tags: ['Favorites'],
      auth: 'user',
      style: 'realworld',
      request: { params: z.object({ slug: Slug }) },
      responses: { 200: { description: 'The article', schema: SingleArticle }, 404: { description: 'No such article' } },
      handler: async ({ params }, ctx) => ({ body: await removeReaction(deps, requireViewer(ctx), { slug: params.slug }, FAVORITE) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/articles/:slug/reactions/:kind',
      operationId: 'AddArticleReaction',
      summary: 'React to an article (once per kind)',
      tags: ['Reactions'],
      auth: 'user',
      style: 'realworld',
      request: { params: z.object({ slug: Slug, kind: Kind }) },
      responses: { 200: { description: 'The article with its reaction counts', schema: SingleArticle }, 404: { description: 'No such article' }, 422: invalid },
      handler: async ({ params }, ctx) => ({ body: await addReaction(deps, requireViewer(ctx), { slug: params.slug }, params.kind) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/articles/:slug/reactions/:kind',
      operationId: 'RemoveArticleReaction',
      summary: 'Take back a reaction to an article',
      tags: ['Reactions'],
      auth: 'user',
      style: 'realworld',
      request: { params: z.object({ slug: Slug, kind: Kind }) },
      responses: { 200: { description: 'The article with its reaction counts', schema: SingleArticle }, 404: { description: 'No such article' }, 422: invalid },
      handler: async ({ params }, ctx) => ({ body: await removeReaction(deps, requireViewer(ctx), { slug: params.slug }, params.kind) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/articles/:slug/comments/:id/reactions/:kind',
      operationId: 'AddCommentReaction',
      summary: 'React to a comment (once per kind)',
      tags: ['Reactions'],
      auth: 'user',
      style: 'realworld',
      request: { params: z.object({ slug: Slug, id: CommentId, kind: Kind }) },
      responses: { 200: { description: 'The comment with its reaction counts', schema: z.object({ comment: CommentSchema }) }, 404: { description: 'No such article or comment' }, 422: invalid },
      handler: async ({ params }, ctx) => ({ body: await addReaction(deps, requireViewer(ctx), { slug: params.slug, commentId: params.id }, params.kind) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/articles/:slug/comments/:id/reactions/:kind',
      operationId: 'RemoveCommentReaction',
      summary: 'Take back a reaction to a comment',
      tags: ['Reactions'],
      auth: 'user',
      style: 'realworld',
      request: { params: z.object({ slug: Slug, id: CommentId, kind: Kind }) },
      responses: { 200: { description: 'The comment with its reaction counts', schema: z.object({ comment: CommentSchema }) }, 404: { description: 'No such article or comment' }, 422: invalid },
      handler: async ({ params }, ctx) => ({ body: await removeReaction(deps, requireViewer(ctx), { slug: params.slug, commentId: params.id }, params.kind) }),
    }),
  ];
}
