import type { Context } from 'koa';
import { z } from 'zod';
import { defineRoute, type RouteResponse, type RouteResult } from '@vcd/http';
import type { FeedFormat } from '../domain/feed.js';
import type { FeedSubject } from '../domain/feed-links.js';
import type { BlogDeps } from '../usecases/blog-deps.js';
import { FEED_SIZE, renderFeed, type RenderedFeed } from '../usecases/render-feed.js';
import { notModified } from './conditional.js';

const tags = ['Feeds'];
const FORMATS: { format: FeedFormat; name: string; contentType: string }[] = [
  { format: 'atom', name: 'Atom', contentType: 'application/atom+xml' },
  { format: 'rss', name: 'Rss', contentType: 'application/rss+xml' },
];
/** The validators of a conditional request (RFC 9110), as a feed reader sends them back. */
const ConditionalHeaders = z.object({
  'if-none-match': z.string().max(2048).optional().describe('An ETag of an earlier answer: 304 when the feed is unchanged'),
  'if-modified-since': z.string().max(64).optional().describe('The Last-Modified of an earlier answer: 304 when the feed is unchanged since'),
});

/**
 * The answer to a feed request: 304 without a body when the client's validator still matches, else the document.
 * Readers and shared caches may store it but must ask again each time (`no-cache`): an unpublished article
 * leaves every copy at the next poll, and the question costs a 304.
 */
function answer(ctx: Context, feed: RenderedFeed): RouteResult {
  const headers = { ETag: feed.etag, 'Last-Modified': feed.lastModified.toUTCString(), 'Cache-Control': 'public, no-cache' };
  if (notModified(ctx.headers, { etag: headers.ETag, lastModified: headers['Last-Modified'] })) return { status: 304, headers };
  return { status: 200, headers: { ...headers, 'Content-Type': feed.contentType }, body: feed.xml };
}

function feedRoute(
  deps: BlogDeps,
  format: (typeof FORMATS)[number],
  path: string,
  feed: { id: string; of: string },
  params: z.ZodObject | undefined,
  subjectOf: (params: Record<string, string>) => FeedSubject,
  notFound?: string,
) {
  return defineRoute({
    method: 'get',
    path: `${path}.${format.format}`,
    operationId: `Get${feed.id}${format.name}Feed`,
    summary: `${format.name === 'Rss' ? 'RSS 2.0' : 'Atom 1.0'} feed of the ${FEED_SIZE} newest published articles${feed.of}`,
    tags,
    auth: 'public',
    style: 'problem',
    request: { ...(params ? { params } : {}), headers: ConditionalHeaders },
    responses: {
      200: { description: 'The feed (with ETag and Last-Modified)', contentType: format.contentType, schema: z.string() },
      304: { description: 'Unchanged since the validator the client sent' },
      ...(notFound ? ({ 404: { description: notFound } } as Record<number, RouteResponse>) : {}),
      422: { description: 'Invalid parameter or validator header (the error names it)' },
    },
    handler: async (input, ctx) => answer(ctx, await renderFeed(deps, subjectOf(input.params as Record<string, string>), format.format)),
  });
}

/** Atom and RSS feeds of published articles: all, per tag, per author (outside /api, forwarded by the gateway). */
export function feedRoutes(deps: BlogDeps) {
  const Tag = z.object({ tag: z.string().min(1).max(64) });
  const Author = z.object({ username: z.string().min(1).max(64) });
  return FORMATS.flatMap((format) => [
    feedRoute(deps, format, '/feeds/articles', { id: 'Articles', of: '' }, undefined, () => ({ kind: 'all' })),
    feedRoute(deps, format, '/feeds/tags/:tag', { id: 'Tag', of: ' with a tag' }, Tag, (p) => ({ kind: 'tag', tag: p.tag! }), 'No published article carries this tag'),
    feedRoute(deps, format, '/feeds/authors/:username', { id: 'Author', of: ' by an author' }, Author, (p) => ({ kind: 'author', username: p.username! }), 'No such author'),
  ]);
}
