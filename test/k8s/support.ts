/**
 * Helpers of the tests on the real cluster (npm run test:k8s, scripts/k8s/test-k8s.ts): kubectl of the cluster,
 * the gateway's HTTP API through its ClusterIP, polling without fixed sleeps, users, and a writer that keeps
 * creating articles (each with an Idempotency-Key, retried until answered) while a fault happens.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export const NS = 'vcd';
const kubectlBin = process.env.K8S_KUBECTL ?? 'kubectl';
export const onCluster = Boolean(process.env.K8S_GATEWAY_URL && process.env.KUBECONFIG);
export const gatewayUrl = process.env.K8S_GATEWAY_URL ?? '';
export const maildevUrl = process.env.K8S_MAILDEV_URL ?? '';

/** kubectl against the test cluster; throws with its stderr when it fails. */
export function kubectl(args: string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const r = spawnSync(kubectlBin, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-5).join('\n')}`);
  return r.stdout;
}
export const kubectlJson = <T = any>(args: string[]): T => JSON.parse(kubectl([...args, '-o', 'json'])) as T; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Runs a script with node inside an app container of a service (the image has node, nothing else to rely on) and
 * returns what it printed. The script sees the container's environment (DAPR_API_TOKEN, DAPR_HTTP_PORT).
 */
export function nodeIn(app: string, script: string): string {
  return execFileSync(kubectlBin, ['-n', NS, 'exec', `deploy/${app}`, '-c', app, '--', 'node', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}
/** Calls the service's own sidecar from inside its app container: `{ status, body }`. */
export function viaSidecar(app: string, method: string, daprPath: string, body?: unknown): { status: number; body: string } {
  const script = `
    const res = await fetch('http://127.0.0.1:' + (process.env.DAPR_HTTP_PORT ?? '3500') + ${JSON.stringify(daprPath)}, {
      method: ${JSON.stringify(method)},
      headers: { 'dapr-api-token': process.env.DAPR_API_TOKEN, 'content-type': 'application/json' },
      body: ${body === undefined ? 'undefined' : JSON.stringify(JSON.stringify(body))},
    });
    process.stdout.write(JSON.stringify({ status: res.status, body: await res.text() }));`;
  return JSON.parse(nodeIn(app, script)) as { status: number; body: string };
}

export interface Res {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}
export async function api(method: string, p: string, o: { token?: string; body?: unknown; ip?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Res> {
  const headers: Record<string, string> = { 'x-forwarded-for': o.ip ?? '198.51.100.10', ...o.headers };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.token) headers.authorization = `Token ${o.token}`;
  try {
    const res = await fetch(gatewayUrl + p, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), signal: AbortSignal.timeout(o.timeoutMs ?? 15_000) });
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
}

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

export interface User {
  username: string;
  email: string;
  token: string;
  ip: string;
}
let ipCounter = Math.floor(Math.random() * 200) + 20;
export const PASSWORD = 'correct horse battery staple';
export async function register(prefix: string): Promise<User> {
  const username = `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const ip = `198.51.${100 + (ipCounter >> 8)}.${ipCounter++ & 255}`;
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
  constructor(private readonly author: User) {}

  async createOne(label: string): Promise<string> {
    const key = randomUUID();
    const article = { title: `${label} ${key.slice(0, 8)}`, description: 'written on the cluster', body: `key ${key}`, tagList: ['k8s'] };
    for (;;) {
      const res = await api('POST', '/api/articles', { token: this.author.token, ip: this.author.ip, body: { article }, headers: { 'idempotency-key': key }, timeoutMs: 20_000 });
      if (res.status === 201) {
        this.slugs.set(key, res.body.article.slug as string);
        return res.body.article.slug as string;
      }
      this.errors.push({ at: Date.now(), status: res.status });
      if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 408) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
      await sleep(300);
    }
  }
  start(label: string) {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.createOne(label);
        await sleep(150);
      }
    })();
  }
  async stop() {
    this.running = false;
    await this.loop;
  }
}

/** Every `new_post` notification of a reader, counted per article slug. */
export async function notificationsBySlug(reader: User): Promise<Map<string, number> | false> {
  const seen = new Map<string, number>();
  for (let offset = 0; ; offset += 100) {
    const n = await api('GET', `/api/user/notifications?limit=100&offset=${offset}`, { token: reader.token, ip: reader.ip });
    if (n.status !== 200) return false;
    for (const x of n.body.notifications as { kind: string; article?: { slug: string } }[]) {
      if (x.kind === 'new_post' && x.article) seen.set(x.article.slug, (seen.get(x.article.slug) ?? 0) + 1);
    }
    if (n.body.notifications.length < 100) return seen;
  }
}

/** Pods of an app in the namespace (name, ready containers, container names). */
export function podsOf(app: string): { name: string; containers: string[]; ready: boolean; deleting: boolean }[] {
  const list = kubectlJson<{ items: any[] }>(['-n', NS, 'get', 'pods', '-l', `app.kubernetes.io/name=${app}`]); // eslint-disable-line @typescript-eslint/no-explicit-any
  return list.items.map((p) => ({
    name: p.metadata.name as string,
    containers: (p.spec.containers as { name: string }[]).map((c) => c.name),
    ready: ((p.status.containerStatuses ?? []) as { ready: boolean }[]).every((c) => c.ready) && (p.status.containerStatuses ?? []).length > 0,
    deleting: Boolean(p.metadata.deletionTimestamp),
  }));
}
