import { createHash } from 'node:crypto';
import type { Context, Next } from 'koa';
import { defineRoute } from '@vcd/http';
import { fillNullImages, fillNullImagesInJson } from '../domain/default-image.js';
import { resolvedRoute } from './public-routes.js';

/** A neutral head-and-shoulders silhouette: shapes and fills only, no script, style, link or external reference. */
const DEFAULT_AVATAR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128" role="img" aria-label="Default avatar">
<rect width="128" height="128" fill="#dfe3e8"/>
<circle cx="64" cy="50" r="24" fill="#9aa5b1"/>
<path d="M20 120c4-26 22-40 44-40s40 14 44 40z" fill="#9aa5b1"/>
</svg>
`;

const SVG = Buffer.from(DEFAULT_AVATAR_SVG, 'utf8');
const ETAG = `"${createHash('sha256').update(SVG).digest('base64url').slice(0, 27)}"`;

/**
 * An SVG opened on its own is a document that could run script: this one has none, and its CSP forbids any
 * (`default-src 'none'`, `sandbox`), so even a swapped file could not act on the gateway's origin. `nosniff`
 * keeps browsers to the declared type; CORP `cross-origin` lets frontends on other origins embed it in <img>.
 */
const AVATAR_HEADERS = {
  'Content-Type': 'image/svg+xml',
  'Cache-Control': 'public, max-age=86400, stale-while-revalidate=604800',
  ETag: ETAG,
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

const matchesEtag = (ifNoneMatch: string) => ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === ETAG || tag.trim() === '*');

/** GET /api/avatars/default.svg: the image of every user who has not set one, served by the gateway itself. */
export function avatarRoutes() {
  return [
    defineRoute({
      method: 'get',
      path: '/api/avatars/default.svg',
      operationId: 'GetDefaultAvatar',
      summary: 'The default avatar (the `image` of every user, profile and author who has not set one)',
      tags: ['Profile'],
      auth: 'public',
      responses: {
        200: { description: 'An SVG image (cacheable for a day; ETag)', contentType: 'image/svg+xml' },
        304: { description: 'Not modified (If-None-Match)' },
      },
      handler: (_input, ctx: Context) => {
        if (matchesEtag(ctx.get('if-none-match'))) return { status: 304, headers: AVATAR_HEADERS };
        return { status: 200, headers: AVATAR_HEADERS, body: SVG };
      },
    }),
  ];
}

/**
 * Keeps `image: null` out of every JSON answer of the public API: users, profiles, article and comment authors,
 * notification actors. Services keep null ("not set"); the default avatar's URL is the gateway's to know.
 */
export function defaultImages(url: string) {
  return async function fillDefaultImages(ctx: Context, next: Next) {
    await next();
    if (!resolvedRoute(ctx) || ctx.status < 200 || ctx.status >= 300 || ctx.body == null) return;
    if (ctx.response.type !== 'application/json') return;
    const body: unknown = ctx.body;
    if (Buffer.isBuffer(body)) {
      if (body.indexOf('"image"') === -1) return;
      const text = body.toString('utf8');
      const filled = fillNullImagesInJson(text, url);
      if (filled !== text) ctx.body = Buffer.from(filled, 'utf8');
    } else if (typeof body === 'string') {
      ctx.body = fillNullImagesInJson(body, url);
    } else if (typeof body === 'object' && !(body instanceof Uint8Array) && typeof (body as { pipe?: unknown }).pipe !== 'function') {
      ctx.body = fillNullImages(body, url);
    }
  };
}
