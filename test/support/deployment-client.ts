/**
 * A client of a deployed stack's public gateway (docker-compose: scripts/compose/test-compose.ts; Kubernetes:
 * test/k8s), as the deployment tests drive it: requests that never throw (a network error is status 0), polling
 * without fixed sleeps, users that survive a slow registration, and a writer that keeps creating articles (each
 * with an Idempotency-Key, retried until answered) while a fault happens.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Res {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}
export interface User {
  username: string;
  email: string;
  token: string;
  ip: string;
}
export type Api = (method: string, p: string, o?: { token?: string; body?: unknown; ip?: string; headers?: Record<string, string>; timeoutMs?: number }) => Promise<Res>;

export const PASSWORD = 'correct horse battery staple';

/** Requests to the gateway at `baseUrl`, as a client behind a proxy (X-Forwarded-For) sends them. */
export function gatewayApi(baseUrl: string): Api {
  return async (method, p, o = {}) => {
    const headers: Record<string, string> = { 'x-forwarded-for': o.ip ?? '198.51.100.10', ...o.headers };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (o.token) headers.authorization = `Token ${o.token}`;
    try {
      const res = await fetch(baseUrl + p, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), signal: AbortSignal.timeout(o.timeoutMs ?? 15_000) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body, headers: res.headers };
    } catch (err) {
      return { status: 0, body: { error: (err as Error).message }, headers: new Headers() };
    }
  };
}

/** Polls `fn` until it gives a truthy value, or fails after `timeoutMs` naming `what` and the last error. */
export async function until<T>(what: string, fn: () => Promise<T | false | undefined> | T | false | undefined, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

let ipCounter = Math.floor(Math.random() * 200) + 20;

/** A new user with a client address of its own (TEST-NET-2), registered through the gateway. */
export async function register(api: Api, prefix: string): Promise<User> {
  const username = `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const ip = `198.51.${100 + ((ipCounter >> 8) & 3)}.${ipCounter++ & 255}`;
  const email = `${username}@example.test`;
  // argon2 on a busy machine can outlast the gateway's upstream timeout: a 504 may still have registered the user,
  // so a retry that finds the name taken signs in instead.
  for (let attempt = 1; ; attempt++) {
    const res = await api('POST', '/api/users', { ip, body: { user: { username, email, password: PASSWORD } }, timeoutMs: 30_000 });
    if (res.status === 201 || res.status === 200) return { username, email, token: res.body.user.token as string, ip };
    if (res.status === 422 && attempt > 1) {
      const login = await api('POST', '/api/users/login', { ip, body: { user: { email, password: PASSWORD } }, timeoutMs: 30_000 });
      if (login.status === 200) return { username, email, token: login.body.user.token as string, ip };
    }
    if (attempt >= 5 || (res.status < 500 && res.status !== 0 && res.status !== 422)) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    await sleep(1000);
  }
}

/** Article creations by one author, each with its own Idempotency-Key and retried until it is answered 201. */
export class Writer {
  readonly slugs = new Map<string, string>(); // key → slug
  readonly errors: { at: number; status: number }[] = [];
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly api: Api,
    private readonly author: User,
    private readonly options: { tag: string; pauseMs: number; onUnexpected?: (message: string) => void },
  ) {}

  async createOne(label: string): Promise<string> {
    const key = randomUUID();
    const article = { title: `${label} ${key.slice(0, 8)}`, description: `written by the ${this.options.tag} writer`, body: `key ${key}`, tagList: [this.options.tag] };
    for (;;) {
      const res = await this.api('POST', '/api/articles', { token: this.author.token, ip: this.author.ip, body: { article }, headers: { 'idempotency-key': key }, timeoutMs: 20_000 });
      if (res.status === 201) {
        this.slugs.set(key, res.body.article.slug as string);
        return res.body.article.slug as string;
      }
      this.errors.push({ at: Date.now(), status: res.status });
      if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 408) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
      if (res.status >= 500 && ![502, 503, 504].includes(res.status)) {
        // Any other 5xx is a bug, but keep writing so the rest of the run still reports.
        this.options.onUnexpected?.(`create answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`);
      }
      await sleep(300);
    }
  }

  start(label: string): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.createOne(label);
        await sleep(this.options.pauseMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
