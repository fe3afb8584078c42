import { randomUUID } from 'node:crypto';
import { query } from '../../../../test/support/db.js';
import { api, eventually as eventuallyWithin, newUser, register, stack, stackRedis } from '../../../../test/support/stack.js';

/** Helpers for the user service's system tests (they go through the gateway and real sidecars). */

export interface TestUser {
  id: string;
  username: string;
  token: string;
}

// Registrations run one at a time per test file: argon2 hashing on a small shared machine is the bottleneck.
let registering: Promise<unknown> = Promise.resolve();

/** Registers a user and waits until their profile is served (the profile follows registration). */
export async function registerUser(prefix = 'u'): Promise<TestUser> {
  const turn = registering.then(() => register(newUser(prefix)));
  registering = turn.catch(() => undefined);
  const u = await turn;
  const [account] = await query<{ id: string }>('auth', 'select id from account where username = $1', [u.username]);
  await eventually(async () => (await api('GET', `/api/profiles/${u.username}`)).status === 200, 60_000);
  return { id: account!.id, username: u.username, token: u.token };
}

/** Calls a service through the sidecar of `asApp`, so the callee sees `asApp` as the caller app id. */
export async function invokeAs(asApp: string, target: string, method: string, path: string, body?: unknown) {
  const a = stack().apps[asApp]!;
  const res = await fetch(`http://127.0.0.1:${a.daprHttpPort}/v1.0/invoke/${target}/method/${path.replace(/^\//, '')}`, {
    method,
    headers: { 'dapr-api-token': a.daprApiToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type Stats = { rpc: Record<string, Record<string, number>>; events: Record<string, Record<string, number>> };
export const userStats = async (): Promise<Stats> => (await invokeAs('blog', 'user', 'GET', 'internal/stats')).body as Stats;

/** Publishes a CloudEvent we built (its id is ours) through `asApp`'s sidecar, as that service's relay would. */
export async function publishAs(asApp: string, topic: string, data: unknown, id: string = randomUUID()): Promise<string> {
  const a = stack().apps[asApp]!;
  const event = { specversion: '1.0', id, source: asApp, type: topic, datacontenttype: 'application/json', time: new Date().toISOString(), data };
  const res = await fetch(`http://127.0.0.1:${a.daprHttpPort}/v1.0/publish/pubsub/${topic}`, {
    method: 'POST',
    headers: { 'dapr-api-token': a.daprApiToken, 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(event),
  });
  if (res.status !== 204) throw new Error(`publish ${topic}: HTTP ${res.status} ${await res.text()}`);
  return id;
}

/** Entries of a Redis stream (a topic) in this stack's Redis DB, as raw field lists. */
export async function streamEntries(key: string): Promise<string[][]> {
  const redis = stackRedis();
  try {
    await redis.connect();
    return (await redis.xrange(key, '-', '+')).map(([, fields]) => fields);
  } finally {
    redis.disconnect();
  }
}

export async function notificationsOf(userId: string) {
  return query<{ kind: string; actor_id: string | null; event_id: string; article_id: string | null }>(
    'user',
    'select kind, actor_id, event_id, article_id from notification where user_id = $1 order by created_at',
    [userId],
  );
}

/** Polls until `fn` holds; events cross Redis and two sidecars, so on a busy machine allow up to 30 s. */
export const eventually = <T>(fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 50) => eventuallyWithin(fn, timeoutMs, intervalMs);

export { api, query, stack };
