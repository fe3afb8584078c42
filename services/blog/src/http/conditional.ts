import type { IncomingHttpHeaders } from 'node:http';
import fresh from 'fresh';

/**
 * Whether a GET/HEAD is answered 304 Not Modified, as RFC 9110 §13.2.2 orders the preconditions for an origin
 * server: If-None-Match decides when present (weak comparison, lists, `*`), else If-Modified-Since. The matching
 * itself is the `fresh` package's. Unlike Koa's `ctx.fresh` (a cache's view), a request's `Cache-Control:
 * no-cache` plays no part: it tells caches to revalidate, and a 304 is exactly that revalidation's answer
 * (fetch() adds `no-cache` to every request that carries a validator).
 */
export function notModified(request: IncomingHttpHeaders, validators: { etag: string; lastModified: string }): boolean {
  const ifNoneMatch = request['if-none-match'];
  if (ifNoneMatch) return fresh({ 'if-none-match': ifNoneMatch }, { etag: validators.etag });
  const ifModifiedSince = request['if-modified-since'];
  if (ifModifiedSince) return fresh({ 'if-modified-since': ifModifiedSince }, { 'last-modified': validators.lastModified });
  return false;
}
