import type { Context, Next } from 'koa';

/**
 * Headers every response carries, errors included: no MIME sniffing, no referrer leaking a URL with a slug or a
 * token in it, never framed (clickjacking). Responses of the routes that hand out or describe credentials
 * (`/api/users/*`, `/api/user*`) are never stored by a browser or a shared cache.
 */
export function securityHeaders() {
  return async function setSecurityHeaders(ctx: Context, next: Next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    try {
      await next();
    } finally {
      if (!ctx.response.get('Content-Security-Policy')) ctx.set('Content-Security-Policy', "frame-ancestors 'none'");
      if (/^\/api\/users?(\/|$)/.test(ctx.path)) {
        ctx.set('Cache-Control', 'no-store');
        ctx.set('Pragma', 'no-cache');
      }
    }
  };
}
