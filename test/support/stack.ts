import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { StackInfo } from '../../scripts/runner/stack-info.js';

let cached: StackInfo | undefined;

/** The stack that `npm test` booted for this run. */
export function stack(): StackInfo {
  if (cached) return cached;
  const file = process.env.STACK_INFO;
  if (!file) throw new Error('System tests need the stack that `npm test` boots (STACK_INFO is not set). Run them with `npm test`.');
  cached = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
  return cached;
}

/** A connection (not yet connected) to this stack's Redis as its operator, the `default` user, in the stack's DB. */
export function stackRedis(): Redis {
  const s = stack();
  return new Redis({ host: '127.0.0.1', port: s.redisPort, password: s.secrets['redis-password'], db: s.redisDB ?? 9, lazyConnect: true, maxRetriesPerRequest: 1 });
}

/** This test process's client address (TEST-NET-3, documentation range; only ever a header value). */
export const CLIENT_IP = `203.0.113.${(process.pid % 250) + 1}`;

export interface ApiResponse<T = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  status: number;
  headers: Headers;
  body: T;
}

/** A client of the public API, as a frontend would call it. */
export async function api<T = any>( // eslint-disable-line @typescript-eslint/no-explicit-any
  method: string,
  path: string,
  options: { body?: unknown; token?: string; scheme?: 'Token' | 'Bearer'; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { 'x-forwarded-for': CLIENT_IP, ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `${options.scheme ?? 'Token'} ${options.token}`;
  const res = await fetch(`${stack().gatewayUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

/**
 * The public base URL the stack's services build links with: the runner sets PUBLIC_BASE_URL to its own gateway
 * (scripts/runner/stack.ts) unless the environment names one.
 */
export const publicBaseUrl = () => (process.env.PUBLIC_BASE_URL ?? (process.env.STACK_INFO ? stack().gatewayUrl : 'http://127.0.0.1:8080')).replace(/\/+$/, '');

/** The `image` the gateway answers for users who have not set one (DEFAULT_AVATAR_URL, else PUBLIC_BASE_URL's). */
export const DEFAULT_AVATAR = process.env.DEFAULT_AVATAR_URL ?? `${publicBaseUrl()}/api/avatars/default.svg`;

let counter = 0;
/** A unique user for one test. */
export function newUser(prefix = 'u') {
  const id = `${prefix}${process.pid}${Date.now().toString(36)}${counter++}`;
  // The password must not contain the username or the e-mail name (auth's password policy).
  return { username: id, email: `${id}@example.test`, password: `correct horse battery staple ${counter}` };
}

export async function register(user = newUser()) {
  const res = await api('POST', '/api/users', { body: { user } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...user, token: res.body.user.token as string, refreshToken: res.body.user.refreshToken as string };
}

/** Polls until `fn` returns a truthy value (events are asynchronous), failing after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}
