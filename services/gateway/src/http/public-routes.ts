import type { Context, Next } from 'koa';
import { AppError } from '@vcd/errors';
import { assertAuthorized, isPublicPath, toOpenApiPath, type AnyRoute, type Identity } from '@vcd/http';
import { checkQueryString, parseRequestPath, RejectedRequestTarget } from '../domain/request-path.js';
import { ownerOf, RouteTable, upstreamPath, type DeclaredRoute, type RouteMatch } from '../domain/route-table.js';
import type { ServiceDocuments } from './service-documents.js';

/** What the gateway resolved a public request to; later middleware (limits, forwarding) reads it. */
export interface ResolvedRoute {
  /** `METHOD /template`, the same for every spelling of the path: the key of per-route budgets. */
  key: string;
  match: RouteMatch;
}

export const resolvedRoute = (ctx: Context): ResolvedRoute | undefined => ctx.state.publicRoute as ResolvedRoute | undefined;

const badTarget = (err: RejectedRequestTarget) =>
  new AppError(err.part === 'path' ? 'GATEWAY.BAD_PATH' : 'GATEWAY.BAD_QUERY', 400, `The request ${err.part} ${err.reason}`, {
    fields: { [err.part]: [err.reason] },
  });

/**
 * Refuses request targets that could be read two ways (dot-segments, encoded slashes, control characters,
 * malformed encoding) with 400, on every path the gateway serves, before anything else reads the path.
 */
export function checkRequestTarget() {
  return async function refuseAmbiguousTargets(ctx: Context, next: Next) {
    try {
      // The raw target as the client sent it: Koa's ctx.path is not decoded, so `%2e%2e` is seen as written.
      parseRequestPath(ctx.path);
      checkQueryString(ctx.querystring);
    } catch (err) {
      if (err instanceof RejectedRequestTarget) throw badTarget(err);
      throw err;
    }
    await next();
  };
}

/**
 * Resolves `/api/*` and `/feeds/*` requests to a declared route: the gateway's own composed routes first, then the routes the
 * owning services declare. No match → 404 (405 with Allow when only the method is wrong); a service whose routes
 * are not known yet → 503. Runs before authentication, so that every error of a route, the gateway's own (a bad
 * token, a rate limit, an unreachable service) included, is answered in that route's error style
 * (`ctx.state.errorStyle`, read by the one error middleware). `authorizePublicRoute` checks access afterwards.
 */
export function resolvePublicRoutes(options: { documents: ServiceDocuments; composed: AnyRoute[] }) {
  const composedTable = new RouteTable(
    options.composed.map(
      (r): DeclaredRoute => ({
        appId: 'gateway',
        method: r.method.toUpperCase(),
        template: toOpenApiPath(r.path),
        access: r.auth === 'internal' ? 'admin' : r.auth,
        style: r.style === 'realworld' ? 'realworld' : 'problem',
      }),
    ),
  );
  return async function resolvePublicRoute(ctx: Context, next: Next) {
    if (!isPublicPath(ctx.path)) return next();
    const segments = parseRequestPath(ctx.path);
    let found = composedTable.match(ctx.method, segments);
    if (!found || !('route' in found)) {
      const declared = (await options.documents.routes()).match(ctx.method, segments);
      if (declared && 'route' in declared) found = declared;
      else if (declared && found) {
        found = {
          allowed: [...new Set([...found.allowed, ...declared.allowed])].sort(),
          style: found.style === 'realworld' || declared.style === 'realworld' ? 'realworld' : 'problem',
        };
      } else found ??= declared;
    }
    if (!found) {
      const owner = ownerOf(ctx.path);
      if (owner && !options.documents.isLoaded(owner)) {
        throw new AppError('GATEWAY.UPSTREAM_UNAVAILABLE', 503, 'This part of the API is starting, retry shortly', { headers: { 'Retry-After': '1' } });
      }
      throw new AppError('NOT_FOUND', 404, 'No such route', { subject: { subject: 'route', reason: 'not found' } });
    }
    if (!('route' in found)) {
      ctx.state.errorStyle = found.style;
      throw new AppError('METHOD_NOT_ALLOWED', 405, `This route allows ${found.allowed.join(', ')}`, {
        headers: { Allow: found.allowed.join(', ') },
        subject: { subject: 'method', reason: `is not allowed (allowed: ${found.allowed.join(', ')})` },
      });
    }
    const { route } = found;
    ctx.state.errorStyle = route.style;
    ctx.state.publicRoute = { key: `${route.method} ${route.template}`, match: found } satisfies ResolvedRoute;
    if (route.appId === 'gateway') {
      // Composed routes are dispatched by their router under their canonical path, whatever the spelling.
      ctx.path = upstreamPath(found);
    }
    await next();
  };
}

/** After authentication: the caller's access is checked against the resolved declaration (401/403). */
export function authorizePublicRoute() {
  return async function authorizePublicRequest(ctx: Context, next: Next) {
    const resolved = resolvedRoute(ctx);
    if (resolved) assertAuthorized(resolved.match.route.access, ctx.state.identity as Identity | undefined, undefined);
    await next();
  };
}

/** The upstream path and owner of a resolved, forwarded route (never the raw client path). */
export function forwardTarget(ctx: Context): { appId: string; path: string } {
  const resolved = resolvedRoute(ctx);
  if (!resolved || resolved.match.route.appId === 'gateway') throw new Error('forwardTarget called for a route that is not forwarded');
  return { appId: resolved.match.route.appId, path: upstreamPath(resolved.match) };
}
