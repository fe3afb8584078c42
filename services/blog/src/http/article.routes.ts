import { z } from 'zod';
import { defineRoute } from '@vcd/http';
import type { WorkflowAction } from '../domain/workflow.js';
import type { BlogDeps } from '../usecases/blog-deps.js';
import { changeArticleStatus } from '../usecases/change-article-status.js';
import { createArticle } from '../usecases/create-article.js';
import { deleteArticle } from '../usecases/delete-article.js';
import { getArticle } from '../usecases/get-article.js';
import { isSameForEveryone, listArticles } from '../usecases/list-articles.js';
import { listFeed } from '../usecases/list-feed.js';
import { updateArticle } from '../usecases/update-article.js';
import { requireViewer, viewerOf } from './viewer.js';
import { LIMITS, ListQuery, MultipleArticles, NewArticleBody, PageQuery, PublishBody, SingleArticle, Slug, UpdateArticleBody } from './schemas.js';

const tags = ['Articles'];
const invalid = { description: 'Invalid input: {"errors":{field:[message]}}' };
const notFound = { description: 'No article with this slug (or not visible to the caller)' };
/** A client-chosen key (e.g. a UUID) per create; retrying with the same key creates nothing new. */
const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters')
    .optional()
    .describe('A key chosen by the client for this create; a retry with the same key answers the article the first request created'),
});

export function articleRoutes(deps: BlogDeps) {
  const transition = (action: Exclude<WorkflowAction, 'schedule'>, summary: string) =>
    defineRoute({
      method: 'post',
      path: `/api/articles/:slug/${action}`,
      operationId: `${action[0]!.toUpperCase()}${action.slice(1)}Article`,
      summary,
      tags,
      auth: 'user',
      style: 'realworld',
      bodyLimit: LIMITS.smallBodyBytes,
      request: { params: z.object({ slug: Slug }), ...(action === 'publish' ? { body: PublishBody } : {}) },
      responses: {
        200: { description: 'The article in its new state', schema: SingleArticle },
        403: { description: 'Not the author or an editor' },
        404: notFound,
        409: { description: 'Not allowed from the current state' },
        422: invalid,
      },
      handler: async ({ params, body }, ctx) => {
        const publishAt = (body as z.infer<typeof PublishBody>)?.article?.publishAt;
        const resolved: WorkflowAction = action === 'publish' && publishAt ? 'schedule' : action;
        return { body: { article: await changeArticleStatus(deps, requireViewer(ctx), params.slug, resolved, publishAt) } };
      },
    });

  return [
    defineRoute({
      method: 'get',
      path: '/api/articles/feed',
      operationId: 'GetArticlesFeed',
      summary: 'Recent articles by the authors the caller follows',
      tags,
      auth: 'user',
      style: 'realworld',
      request: { query: z.object(PageQuery) },
      responses: { 200: { description: 'Articles (without body) and their total', schema: MultipleArticles }, 401: { description: 'Not signed in' }, 422: invalid },
      handler: async ({ query }, ctx) => ({ body: await listFeed(deps, query, requireViewer(ctx)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/articles',
      operationId: 'GetArticles',
      summary: 'Recent articles, filtered by tag, author, favorited, status, category or full-text query',
      tags,
      auth: 'optional',
      style: 'realworld',
      request: { query: ListQuery },
      responses: { 200: { description: 'Articles (without body) and the total for the filter', schema: MultipleArticles }, 422: invalid },
      handler: async ({ query }, ctx) => {
        const viewer = viewerOf(ctx);
        // An anonymous reader's page is the shared one: a shared cache (the gateway) may keep it as long as blog does.
        // A viewer's copy of it may be kept by the gateway alone, for that viewer alone (ADR 21); drafts never.
        const headers = !viewer ? deps.publicPages.sharedCacheControl : isSameForEveryone(query) ? deps.publicPages.viewerCacheControl : {};
        return { body: await listArticles(deps, query, viewer), headers };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/articles',
      operationId: 'CreateArticle',
      summary: 'Create an article (published unless a status says otherwise)',
      tags,
      auth: 'user',
      style: 'realworld',
      bodyLimit: LIMITS.articleBodyBytes,
      request: { body: NewArticleBody, headers: IdempotencyHeaders },
      responses: {
        201: { description: 'The article (with `Idempotent-Replayed: true` when an earlier request with the same key created it)', schema: SingleArticle },
        401: { description: 'Not signed in' },
        409: { description: 'The Idempotency-Key was used for a different request' },
        413: { description: 'Body too large' },
        422: invalid,
      },
      handler: async ({ body, headers }, ctx) => {
        const { article, replayed } = await createArticle(deps, requireViewer(ctx), body.article, headers['idempotency-key']);
        const replay: Record<string, string> = replayed ? { 'Idempotent-Replayed': 'true' } : {};
        return { status: 201, body: { article }, headers: replay };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/articles/:slug',
      operationId: 'GetArticle',
      summary: 'One article by its slug (old slugs resolve too)',
      tags,
      auth: 'optional',
      style: 'realworld',
      request: { params: z.object({ slug: Slug }) },
      responses: { 200: { description: 'The article', schema: SingleArticle }, 404: notFound, 422: invalid },
      handler: async ({ params }, ctx) => ({ body: { article: await getArticle(deps, params.slug, viewerOf(ctx)) } }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/articles/:slug',
      operationId: 'UpdateArticle',
      summary: 'Update an article (author or editor); status and publishAt move it through the workflow',
      tags,
      auth: 'user',
      style: 'realworld',
      bodyLimit: LIMITS.articleBodyBytes,
      request: { params: z.object({ slug: Slug }), body: UpdateArticleBody },
      responses: {
        200: { description: 'The article', schema: SingleArticle },
        403: { description: 'Not the author or an editor' },
        404: notFound,
        409: { description: 'Status change not allowed from the current state' },
        413: { description: 'Body too large' },
        422: invalid,
      },
      handler: async ({ params, body }, ctx) => ({ body: { article: await updateArticle(deps, requireViewer(ctx), params.slug, body.article) } }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/articles/:slug',
      operationId: 'DeleteArticle',
      summary: 'Delete an article (author or editor)',
      tags,
      auth: 'user',
      style: 'realworld',
      request: { params: z.object({ slug: Slug }) },
      responses: { 204: { description: 'Deleted' }, 403: { description: 'Not the author or an editor' }, 404: notFound },
      handler: async ({ params }, ctx) => {
        await deleteArticle(deps, requireViewer(ctx), params.slug);
        return { status: 204 };
      },
    }),
    transition('publish', 'Publish now, or schedule with {"article":{"publishAt":…}}'),
    transition('unpublish', 'Back to draft'),
    transition('archive', 'Archive'),
  ];
}
