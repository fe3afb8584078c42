import type { Context, Next } from 'koa';
import { defineRoute } from '@vcd/http';
import { fillNullImages, fillNullImagesInJson } from '../domain/default-image.js';
import { getDefaultAvatar } from '../usecases/get-default-avatar.js';
import { resolvedRoute } from './public-routes.js';

/**
 * An SVG opened on its own is a document that could run script: this one has none, and its CSP forbids any
 * (`default-src 'none'`, `sandbox`), so even a swapped file could not act on the gateway's origin. `nosniff`
 * keeps browsers to the declared type; CORP `cross-origin` lets frontends on other origins embed it in <img>.
 */
const avatarHeaders = (etag: string) => ({
  'Content-Type': 'image/svg+xml',
  'Cache-Control': 'public, max-age=86400, stale-while-revalidate=604800',
  ETag: etag,
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'cross-origin',
});

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
        const avatar = getDefaultAvatar(ctx.get('if-none-match'));
        const headers = avatarHeaders(avatar.etag);
        return avatar.notModified ? { status: 304, headers } : { status: 200, headers, body: avatar.svg };
      },
    }),
  ];
}

/**
 * Keeps `image: null` out of every JSON answer of the public API: users, profiles, article and comment authors,
 * notification actors. Services keep null ("not set"); the default avatar's URL is the gateway's to know.
 */
export function defaultImages(url: string) {
  // An answer the gateway serves from its public cache is the same Buffer every time: filled once.
  const filledOnce = new WeakMap<Buffer, Buffer>();
  return async function fillDefaultImages(ctx: Context, next: Next) {
    await next();
    if (!resolvedRoute(ctx) || ctx.status < 200 || ctx.status >= 300 || ctx.body == null) return;
    if (ctx.response.type !== 'application/json') return;
    const body: unknown = ctx.body;
    if (Buffer.isBuffer(body)) {
      const known = filledOnce.get(body);
      if (known) {
        ctx.body = known;
        return;
      }
      if (body.indexOf('"image"') === -1) return;
      const text = body.toString('utf8');
      const filled = fillNullImagesInJson(text, url);
      const out = filled !== text ? Buffer.from(filled, 'utf8') : body;
      filledOnce.set(body, out);
      ctx.body = out;
    } else if (typeof body === 'string') {
      ctx.body = fillNullImagesInJson(body, url);
    } else if (typeof body === 'object' && !(body instanceof Uint8Array) && typeof (body as { pipe?: unknown }).pipe !== 'function') {
      ctx.body = fillNullImages(body, url);
    }
  };
}
