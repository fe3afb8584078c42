import { request } from 'undici';
import type { SidecarConnection } from './connection.js';

/**
 * The daprd URL that invokes `method` on `appId`. Refuses anything that a URL parser would resolve outside
 * `/v1.0/invoke/<appId>/method/` (dot-segments in any spelling, backslashes, a bad app id): callers build
 * `method` from declared templates, and this is the last check before a request reaches daprd's API.
 */
export function invokeUrl(c: SidecarConnection, appId: string, method: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(appId)) throw new Error(`not an app id: ${JSON.stringify(appId)}`);
  const prefix = `/v1.0/invoke/${appId}/method/`;
  const url = `${c.baseUrl}${prefix}${method.replace(/^\//, '')}`;
  const pathOnly = url.slice(c.baseUrl.length).split(/[?#]/)[0]!;
  const resolved = new URL(url).pathname;
  if (resolved !== pathOnly || !resolved.startsWith(prefix) || /%2f|%5c/i.test(pathOnly)) {
    throw new Error(`refusing an invocation path that leaves ${prefix}: ${JSON.stringify(method)}`);
  }
  return url;
}

/** Invokes a method on another app through this sidecar (never the app's own port). */
export function invoke(
  c: SidecarConnection,
  appId: string,
  method: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...c.headers, ...init.headers };
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  }
  return fetch(invokeUrl(c, appId, method), { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, signal: init.signal });
}

/**
 * The hot path for proxies: invokes with undici's request API on the keep-alive pool (cheaper per call than
 * fetch), returning status, headers and the whole body.
 */
export async function invokeRaw(
  c: SidecarConnection,
  appId: string,
  method: string,
  init: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number },
): Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const res = await request(invokeUrl(c, appId, method), {
    method: init.method as 'GET',
    headers: { ...init.headers, ...c.headers },
    body: init.body,
    dispatcher: c.keepAlivePool(),
    headersTimeout: init.timeoutMs,
    bodyTimeout: init.timeoutMs,
    signal: AbortSignal.timeout(init.timeoutMs),
  });
  return { statusCode: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}
