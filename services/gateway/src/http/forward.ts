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
const PASS_RESPONSE = ['content-type', 'location', 'retry-after', 'cache-control', 'etag', 'last-modified', 'ratelimit', 'ratelimit-policy'];

/**
 * Forwards a public request to the service that owns it through this gateway's Dapr sidecar (service
 * invocation), with the verified identity in headers the services trust only from the gateway.
 */
export async function forward(ctx: Context, deps: { sidecar: Sidecar; appId: string; timeoutMs: number; bodyLimit: number }): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.headers)) {
    if (value === undefined || DROP_REQUEST.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const identity = ctx.state.identity as Identity | undefined;
  if (identity) Object.assign(headers, identityToHeaders(identity));
  headers['x-request-id'] = ctx.state.requestId as string;
  const body = ['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(ctx.method) ? undefined : await readRawBody(ctx, deps.bodyLimit);
  const path = ctx.path.replace(/^\//, '') + (ctx.querystring ? `?${ctx.querystring}` : '');
  let res: Response;
  try {
    res = await deps.sidecar.invoke(deps.appId, path, {
      method: ctx.method,
      headers,
      body: body && body.length > 0 ? body.toString('utf8') : undefined,
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    throw new AppError(
      timedOut ? 'GATEWAY.UPSTREAM_TIMEOUT' : 'GATEWAY.UPSTREAM_UNAVAILABLE',
      timedOut ? 504 : 503,
      timedOut ? `The ${deps.appId} service did not answer in time` : `The ${deps.appId} service is unavailable`,
      { cause: err, headers: timedOut ? {} : { 'Retry-After': '1' } },
    );
  }
  const payload = Buffer.from(await res.arrayBuffer());
  // daprd answers 500 with its own error body when it cannot reach the target app.
  if (res.status === 500 && /ERR_DIRECT_INVOKE|ERR_INVOKE|failed to invoke/i.test(payload.toString('utf8', 0, 400))) {
    throw new AppError('GATEWAY.UPSTREAM_UNAVAILABLE', 503, `The ${deps.appId} service is unavailable`, { headers: { 'Retry-After': '1' } });
  }
  ctx.status = res.status;
  for (const name of PASS_RESPONSE) {
    const value = res.headers.get(name);
    if (value) ctx.set(name, value);
  }
  if (res.status !== 204 && res.status !== 304) ctx.body = payload;
}
