import type { Context } from 'koa';
import { AppError } from '@vcd/errors';
import { assertSafeText, IDENTITY_HEADERS, identityToHeaders, readRawBody, type Identity } from '@vcd/http';
import type { Sidecar } from '@vcd/dapr';

/** Client headers that are never passed on: hop-by-hop ones and the identity headers only we may set. */
const DROP_REQUEST = new Set([
  'host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length', 'proxy-authorization', 'te', 'trailer',
  'dapr-api-token', 'dapr-app-id', 'dapr-caller-app-id', 'dapr-callee-app-id',
  // Trace context travels as the gateway's own span (the instrumentation sets it); a client's never goes on raw.
  'traceparent', 'tracestate', 'baggage', 'grpc-trace-bin',
  ...Object.values(IDENTITY_HEADERS),
]);
const PASS_RESPONSE = ['content-type', 'location', 'retry-after', 'idempotent-replayed', 'cache-control', 'etag', 'last-modified', 'ratelimit', 'ratelimit-policy', 'traceparent'];

export interface UpstreamResponse {
  status: number;
  headers: { get(name: string): string | null };
  payload: Buffer;
}

export interface ForwardDeps {
  sidecar: Sidecar;
  timeoutMs: number;
  bodyLimit: number;
}

/** Error codes of daprd's own error bodies: never passed to a client (they name apps, SPIFFE ids, methods). */
const DAPR_ERROR = /^\s*\{\s*"errorCode"\s*:\s*"ERR_/;

/**
 * Sends a public request to the service that owns it through this gateway's Dapr sidecar (service
 * invocation), with the verified identity in headers the services trust only from the gateway. `path` is the
 * upstream path rebuilt from a declared route (never the client's raw path); `override` replaces the method or
 * body (composition); `query` passes the client's query string on.
 */
export async function callUpstream(
  ctx: Context,
  appId: string,
  path: string,
  deps: ForwardDeps,
  override: { method?: string; body?: unknown; query?: boolean } = {},
): Promise<UpstreamResponse> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.headers)) {
    if (value === undefined || DROP_REQUEST.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const identity = ctx.state.identity as Identity | undefined;
  if (identity) Object.assign(headers, identityToHeaders(identity));
  headers['x-request-id'] = ctx.state.requestId as string;
  if (ctx.state.clientIp) headers['x-forwarded-for'] = ctx.state.clientIp as string;
  let body: string | undefined;
  const method = override.method ?? ctx.method;
  if (override.body !== undefined) {
    body = JSON.stringify(override.body);
    headers['content-type'] = 'application/json';
  } else if (!['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method)) {
    const raw = await readRawBody(ctx, deps.bodyLimit);
    body = raw.length > 0 ? raw.toString('utf8') : undefined;
    if (body !== undefined) refuseUnsafeJson(body);
  }
  const target = path.replace(/^\//, '') + (override.query && ctx.querystring ? `?${ctx.querystring}` : '');
  let res: Awaited<ReturnType<ForwardDeps['sidecar']['invokeRaw']>>;
  try {
    res = await deps.sidecar.invokeRaw(appId, target, { method, headers, body, timeoutMs: deps.timeoutMs });
  } catch (err) {
    const name = (err as Error).name;
    const timedOut = name === 'TimeoutError' || name === 'HeadersTimeoutError' || name === 'BodyTimeoutError' || name === 'AbortError';
    throw new AppError(
      timedOut ? 'GATEWAY.UPSTREAM_TIMEOUT' : 'GATEWAY.UPSTREAM_UNAVAILABLE',
      timedOut ? 504 : 503,
      timedOut ? 'The service did not answer in time' : 'The service is unavailable',
      { cause: err, headers: timedOut ? {} : { 'Retry-After': '1' } },
    );
  }
  const payload = res.body;
  const status = res.statusCode;
  // daprd's own error bodies (it could not reach the app, access control, a circuit breaker) stay inside; the
  // client learns only that the service is unavailable. An app's own 5xx body is replaced too.
  if (status >= 500 || DAPR_ERROR.test(payload.toString('utf8', 0, 200))) {
    throw new AppError('GATEWAY.UPSTREAM_UNAVAILABLE', 503, 'The service is unavailable', {
      headers: { 'Retry-After': '1' },
      cause: new Error(`upstream ${appId} answered ${status}: ${payload.toString('utf8', 0, 300)}`),
    });
  }
  const raw = res.headers;
  const headersOf = {
    get: (name: string) => {
      const v = raw[name];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
  };
  return { status, headers: headersOf, payload };
}

/** Writes an upstream response to the client (status, safe headers, body). */
export function writeUpstream(ctx: Context, res: UpstreamResponse, body?: unknown): void {
  ctx.status = res.status;
  for (const name of PASS_RESPONSE) {
    const value = res.headers.get(name);
    if (value) ctx.set(name, value);
  }
  if (res.status === 204 || res.status === 304) return;
  ctx.body = body === undefined ? res.payload : body;
}

export async function forward(ctx: Context, appId: string, path: string, deps: ForwardDeps): Promise<void> {
  writeUpstream(ctx, await callUpstream(ctx, appId, path, deps, { query: true }));
}

/**
 * A JSON body with NUL or a lone surrogate in any string is refused with 422 naming the field, before it is
 * sent on (no database takes NUL; no encoder takes a lone surrogate). Bodies that are not JSON are left to the
 * service, which refuses them with 400.
 */
function refuseUnsafeJson(body: string): void {
  if (!body.includes('\\u') && !body.includes('\u0000') && !/[\ud800-\udfff]/.test(body)) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return;
  }
  // The same check every service's declared routes make (@vcd/http), before the body is sent on.
  assertSafeText({ body: parsed });
}
