import type { Context } from 'koa';
import { AppError } from '@vcd/errors';
import { IDENTITY_HEADERS, identityToHeaders, readRawBody, type Identity } from '@vcd/http';
import type { Sidecar } from '@vcd/dapr';

/** Client headers that are never passed on: hop-by-hop ones and the identity headers only we may set. */
const DROP_REQUEST = new Set([
  'host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length', 'proxy-authorization', 'te', 'trailer',
  'dapr-api-token', 'dapr-app-id', 'dapr-caller-app-id', 'dapr-callee-app-id',
  ...Object.values(IDENTITY_HEADERS),
]);
const PASS_RESPONSE = ['content-type', 'location', 'retry-after', 'cache-control', 'etag', 'last-modified', 'ratelimit', 'ratelimit-policy', 'traceparent'];

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

/**
 * Sends a public request to the service that owns it through this gateway's Dapr sidecar (service
 * invocation), with the verified identity in headers the services trust only from the gateway. `override`
 * replaces the path or body (composition).
 */
export async function callUpstream(
  ctx: Context,
  appId: string,
  deps: ForwardDeps,
  override: { method?: string; path?: string; body?: unknown } = {},
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
  if (override.body !== undefined) {
    body = JSON.stringify(override.body);
    headers['content-type'] = 'application/json';
  } else if (!['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(override.method ?? ctx.method)) {
    const raw = await readRawBody(ctx, deps.bodyLimit);
    body = raw.length > 0 ? raw.toString('utf8') : undefined;
  }
  const path = (override.path ?? ctx.path).replace(/^\//, '') + (override.path === undefined && ctx.querystring ? `?${ctx.querystring}` : '');
  let res: Awaited<ReturnType<ForwardDeps['sidecar']['invokeRaw']>>;
  try {
    res = await deps.sidecar.invokeRaw(appId, path, { method: override.method ?? ctx.method, headers, body, timeoutMs: deps.timeoutMs });
  } catch (err) {
    const name = (err as Error).name;
    const timedOut = name === 'TimeoutError' || name === 'HeadersTimeoutError' || name === 'BodyTimeoutError' || name === 'AbortError';
    throw new AppError(
      timedOut ? 'GATEWAY.UPSTREAM_TIMEOUT' : 'GATEWAY.UPSTREAM_UNAVAILABLE',
      timedOut ? 504 : 503,
      timedOut ? `The ${appId} service did not answer in time` : `The ${appId} service is unavailable`,
      { cause: err, headers: timedOut ? {} : { 'Retry-After': '1' } },
    );
  }
  const payload = res.body;
  const status = res.statusCode;
  // daprd answers 500 with its own error body when it cannot reach the target app.
  if (status === 500 && /ERR_DIRECT_INVOKE|ERR_INVOKE|failed to invoke|circuit breaker/i.test(payload.toString('utf8', 0, 600))) {
    throw new AppError('GATEWAY.UPSTREAM_UNAVAILABLE', 503, `The ${appId} service is unavailable`, { headers: { 'Retry-After': '1' } });
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

export async function forward(ctx: Context, appId: string, deps: ForwardDeps): Promise<void> {
  writeUpstream(ctx, await callUpstream(ctx, appId, deps));
}
