import { z } from 'zod';
import { defineRoute } from '@vcd/http';
import type { BlogDeps } from '../usecases/blog-deps.js';
import { addComment } from '../usecases/add-comment.js';
import { deleteComment } from '../usecases/delete-comment.js';
import { editComment } from '../usecases/edit-comment.js';
import { listComments } from '../usecases/list-comments.js';
import { requireViewer, viewerOf } from './viewer.js';
import { CommentId, CommentSchema, EditCommentBody, LIMITS, NewCommentBody, Slug } from './schemas.js';

const tags = ['Comments'];
const invalid = { description: 'Invalid input: {"errors":{field:[message]}}' };
const SingleComment = z.object({ comment: CommentSchema });

export function commentRoutes(deps: BlogDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/articles/:slug/comments',
      operationId: 'GetArticleComments',
      summary: 'Comments of an article, oldest first (replies carry parentId)',
      tags,
      auth: 'optional',
      style: 'realworld',
      request: { params: z.object({ slug: Slug }) },
      responses: { 200: { description: 'Comments', schema: z.object({ comments: z.array(CommentSchema) }) }, 404: { description: 'No such article' } },
      handler: async ({ params }, ctx) => ({ body: { comments: await listComments(deps, params.slug, viewerOf(ctx)) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/articles/:slug/comments',
      operationId: 'CreateArticleComment',
      summary: 'Comment on an article, or reply to a comment with parentId',
      tags,
      auth: 'user',
      style: 'realworld',
      bodyLimit: LIMITS.commentBodyBytes,
      request: { params: z.object({ slug: Slug }), body: NewCommentBody },
      responses: { 200: { description: 'The comment', schema: SingleComment }, 404: { description: 'No such article' }, 413: { description: 'Body too large' }, 422: invalid },
      handler: async ({ params, body }, ctx) => ({ body: { comment: await addComment(deps, requireViewer(ctx), params.slug, body.comment) } }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/articles/:slug/comments/:id',
      operationId: 'UpdateArticleComment',
      summary: 'Edit one of your comments',
      tags,
      auth: 'user',
      style: 'realworld',
      bodyLimit: LIMITS.commentBodyBytes,
      request: { params: z.object({ slug: Slug, id: CommentId }), body: EditCommentBody },
      responses: {
        200: { description: 'The comment', schema: SingleComment },
        403: { description: 'Not your comment' },
        404: { description: 'No such article or comment' },
        422: invalid,
      },
      handler: async ({ params, body }, ctx) => ({ body: { comment: await editComment(deps, requireViewer(ctx), params.slug, params.id, body.comment.body) } }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/articles/:slug/comments/:id',
      operationId: 'DeleteArticleComment',
      summary: 'Delete a comment (its author or a moderator)',
      tags,
      auth: 'user',
      style: 'realworld',
      request: { params: z.object({ slug: Slug, id: CommentId }) },
      responses: { 204: { description: 'Deleted' }, 403: { description: 'Not your comment' }, 404: { description: 'No such article or comment' }, 422: invalid },
      handler: async ({ params }, ctx) => {
        await deleteComment(deps, requireViewer(ctx), params.slug, params.id);
        return { status: 204 };
      },
    }),
  ];
}
