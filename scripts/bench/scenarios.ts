import pg from 'pg';
import { call, describeErrors, type BenchContext } from './context.js';
import { quantile, type RequestSpec } from './load-spec.js';
import { register } from './seed.js';

/**
 * The scenarios of issue 17's table, each printing one line per measurement with its target, the CPU per request
 * of every process, and the change since the saved result. Chosen by name on the command line.
 */

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

type Scenario = (ctx: BenchContext) => Promise<void>;

/** Signed-in `GET /api/articles?limit=20` through the gateway at full speed, as the handful of readers (viewer-relative). */
const signedIn: Scenario = async (ctx) => {
  await ctx.refreshTokens();
  const { result, cpu } = await ctx.load({
    mode: 'autocannon', seconds: ctx.seconds, connections: 32,
    request: { name: 'signed-in list', urls: [`${ctx.gw}/api/articles?limit=20`], headers: ctx.tokenHeaders() },
  });
  ctx.addLoad('signed-in', 'signed-in list via gateway (max)', result, cpu, [{ metric: 'throughput', op: '>=', value: 1000, row: 'signed-in list `GET /api/articles?limit=20` via gateway' }]);
};

/** Anonymous list through the gateway and two sidecars, compared with the same request sent to blog, and via the gateway's sidecar only. */
const list: Scenario = async (ctx) => {
  const { stack } = ctx;
  const viaGateway = await ctx.load({ mode: 'autocannon', seconds: ctx.seconds, connections: 32, request: { name: 'anonymous list', urls: [`${ctx.gw}/api/articles?limit=20`] } });
  ctx.addLoad('list', 'anonymous list via gateway + 2 sidecars (max)', viaGateway.result, viaGateway.cpu, [{ metric: 'throughput', op: '>=', value: 1500, row: 'anonymous list via gateway' }]);
  const blog = stack.apps.get('blog')!;
  const direct = await ctx.load({
    mode: 'autocannon', seconds: ctx.seconds, connections: 32,
    request: { name: 'direct', urls: [`http://127.0.0.1:${blog.appPort}/api/articles?limit=20`], headers: [{ 'dapr-api-token': blog.appApiToken, 'dapr-caller-app-id': 'gateway' }] },
  });
  ctx.addLoad('list-direct', 'anonymous list sent directly to blog (max)', direct.result, direct.cpu, []);
  const gwApp = stack.apps.get('gateway')!;
  const sidecar = await ctx.load({
    mode: 'autocannon', seconds: ctx.seconds, connections: 32,
    request: { name: 'via sidecar', urls: [`http://127.0.0.1:${gwApp.daprHttpPort}/v1.0/invoke/blog/method/api/articles?limit=20`], headers: [{ 'dapr-api-token': gwApp.daprApiToken }] },
  });
  ctx.addLoad('list-sidecar', "anonymous list via the gateway's sidecar only (max)", sidecar.result, sidecar.cpu, []);
  ctx.report(`Dapr path / direct throughput ratio: ${(viaGateway.result.throughput / direct.result.throughput).toFixed(2)} (earlier brief: >= 0.80)`);
};

/** Anonymous list p99 at a steady 300 req/s (open loop: one request every 3.3 ms). */
const steady: Scenario = async (ctx) => {
  const rate = 300;
  const { result, cpu } = await ctx.load({ mode: 'paced', seconds: ctx.seconds, rate, mix: [{ name: 'anonymous list', urls: [`${ctx.gw}/api/articles?limit=20`] }] });
  ctx.addLoad('steady', `anonymous list at a steady ${rate} req/s`, result, cpu, [{ metric: 'p99', op: '<=', value: 25, row: 'anonymous list p99 at a steady 300 req/s' }], { rate });
};

/** `POST /api/articles` (a new article each time, as any seeded user) at full speed, then p99 at a steady 150/s. */
const create: Scenario = async (ctx) => {
  await ctx.refreshTokens();
  const max = await ctx.load({ mode: 'autocannon', seconds: ctx.seconds, connections: 16, request: ctx.createSpec() });
  ctx.addLoad('create', 'article creation (max, 16 connections)', max.result, max.cpu, [{ metric: 'throughput', op: '>=', value: 300, row: '`POST /api/articles`' }]);
  const rate = 150;
  const paced = await ctx.load({ mode: 'paced', seconds: ctx.seconds, rate, mix: [ctx.createSpec()] });
  ctx.addLoad('create-paced', `article creation at a steady ${rate}/s`, paced.result, paced.cpu, [{ metric: 'p99', op: '<=', value: 100, row: '`POST /api/articles` p99 at a steady 150/s' }], { rate });
};

/** Login at full speed: one account's right password, 8 at a time (argon2id m=19456 t=2 p=1). */
const login: Scenario = async (ctx) => {
  const u = ctx.data.author;
  const { result, cpu } = await ctx.load({
    mode: 'autocannon', seconds: ctx.seconds, connections: 8,
    request: { name: 'login', method: 'POST', urls: [`${ctx.gw}/api/users/login`], body: { type: 'json', value: { user: { email: u.email, password: u.password } } } },
  });
  ctx.addLoad('login', 'login, argon2id m=19456 t=2 p=1 (max, 8 connections)', result, cpu, [{ metric: 'throughput', op: '>=', value: 50, row: 'login, argon2id m=19456 t=2 p=1' }]);
};

/**
 * post.published → stored follower notification, the event path alone: CloudEvents published through blog's sidecar
 * at BENCH_EVENT_RATE (default 500/s) as blog's outbox relay does, for an author with one follower; latency = the
 * time the last inbox row of the event's transaction was written (the transaction also holds the notification, and
 * with batches other events) minus the event's send time. CPU is counted until every event is stored.
 */
const events: Scenario = async (ctx) => {
  const rate = env('BENCH_EVENT_RATE', 500);
  const total = env('BENCH_EVENTS', Math.round(rate * ctx.seconds));
  const author = await register(ctx.gw, `benchevents${Date.now().toString(36)}`);
  const follower = await register(ctx.gw, `benchfollower${Date.now().toString(36)}`);
  await call(ctx.gw, 'POST', `/api/profiles/${author.username}/follow`, undefined, follower.token);
  const blog = ctx.stack.apps.get('blog')!;
  const spec: RequestSpec = {
    name: 'publish', method: 'POST', recordSends: true,
    urls: [`http://127.0.0.1:${blog.daprHttpPort}/v1.0/publish/pubsub/post.published`],
    headers: [{ 'dapr-api-token': blog.daprApiToken }],
    body: { type: 'post.published', authorId: author.id },
  };
  const userDb = new pg.Client({ connectionString: ctx.stack.secrets['user-database-url'] });
  await userDb.connect();
  try {
    const { result, cpu } = await ctx.measure(async () => {
      const load = await ctx.loadgen.run({ mode: 'paced', seconds: total / rate, rate, mix: [spec] });
      const sentAt = new Map(load.sends ?? []);
      let rows: { event_id: string; received_at: Date; tx: string }[] = [];
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        rows = (await userDb.query(`select event_id, received_at, xmin::text as tx from inbox where topic = 'post.published' and event_id = any($1)`, [[...sentAt.keys()]])).rows;
        if (rows.length >= sentAt.size) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      // An event is stored when its transaction commits: with batches (ADR 22) one transaction holds several, so each
      // counts from the last inbox row its transaction wrote (xmin), not its own.
      const storedAt = new Map<string, number>();
      for (const r of rows) storedAt.set(r.tx, Math.max(storedAt.get(r.tx) ?? 0, r.received_at.getTime()));
      return { load, latencies: rows.map((r) => storedAt.get(r.tx)! - sentAt.get(r.event_id)!).sort((a, b) => a - b) };
    });
    const { load, latencies } = result;
    const notified = (await userDb.query(`select count(*)::int as n from notification where user_id = $1`, [follower.id]).catch(() => ({ rows: [{ n: NaN }] }))).rows[0].n;
    const p = (q: number) => quantile(latencies, q);
    const metrics = { throughput: load.throughput, p50: p(0.5), p99: p(0.99), max: p(1), requests: load.count, stored: latencies.length, errors: load.errors + (load.count - latencies.length), publishP99: load.p99 };
    const line =
      `post.published → stored notification at ${load.throughput.toFixed(0)} events/s: stored ${latencies.length}/${load.count}, p50 ${metrics.p50} ms, p99 ${metrics.p99} ms, max ${metrics.max} ms` +
      ` (publish call p99 ${load.p99} ms, ${describeErrors(load)}), notifications ${notified}`;
    ctx.add({ id: 'events', title: `post.published → notification at ${rate}/s`, metrics, compared: ['p50', 'p99'], targets: [{ metric: 'p99', op: '<=', value: 20, row: `\`post.published\` → notification p99 at ${rate} events/s` }] }, line, cpu, load.count, 'event');
  } finally {
    await userDb.end();
  }
};

/**
 * The mixed load at full speed (closed loop, 32 connections): ~65 % anonymous lists, ~28 % signed-in lists (the
 * readers), ~7 % creates; lists spread over pages and tags. BENCH_MIXED_SECONDS (default 600, the issue's 10 minutes).
 */
export function mixedSpecs(ctx: BenchContext): RequestSpec[] {
  const urls = ctx.listUrls();
  return [
    { name: 'anonymous list', weight: 65, urls },
    { name: 'signed-in list', weight: 28, urls, headers: ctx.tokenHeaders() },
    ctx.createSpec(7),
  ];
}

export function kindsLine(load: { kinds: Record<string, { count: number; errors: number; p50: number; p99: number }>; seconds: number }): string {
  return Object.entries(load.kinds)
    .sort((a, b) => b[1].count - a[1].count)
    .map(([k, s]) => `${k} ${(s.count / load.seconds).toFixed(0)}/s p50 ${s.p50} p99 ${s.p99} ms${s.errors ? ` errors ${s.errors}` : ''}`)
    .join('; ');
}

const mixed: Scenario = async (ctx) => {
  const seconds = env('BENCH_MIXED_SECONDS', 600);
  await ctx.refreshTokens();
  const interval = seconds >= 120 ? 60 : undefined;
  const { result, cpu } = await ctx.load({ mode: 'closed', seconds, connections: 32, mix: mixedSpecs(ctx), intervalSeconds: interval }, (r) =>
    ctx.report(`  mixed, minute ${r.index + 1}: ${(r.count / (r.toSeconds - r.fromSeconds)).toFixed(0)} req/s, p99 ${r.p99} ms, errors ${r.errors}`),
  );
  ctx.addLoad('mixed', `mixed load for ${seconds} s (max, 32 connections)`, result, cpu, [
    { metric: 'throughput', op: '>=', value: 600, row: 'mixed load ~65 % anonymous / ~28 % signed-in lists / ~7 % creates: throughput' },
    { metric: 'p99', op: '<=', value: 100, row: 'mixed load: p99' },
  ]);
  ctx.report(`    by kind: ${kindsLine(result)}`);
};

/** What the apps' tracing costs: the same reads with tracing on (spans exported), then off (OTEL_SDK_DISABLED). */
const tracing: Scenario = async (ctx) => {
  const restartApps = async () => {
    for (const id of ['auth', 'blog', 'user', 'gateway']) {
      await ctx.stack.stopApp(id, 'app');
      await ctx.stack.startApp(id);
    }
  };
  const measure = async (state: string) => {
    await ctx.refreshTokens();
    const anonymous = await ctx.load({ mode: 'autocannon', seconds: ctx.seconds, connections: 32, request: { name: 'anonymous list', urls: [`${ctx.gw}/api/articles?limit=20`] } });
    ctx.addLoad(`tracing-${state}-anonymous`, `anonymous list, tracing ${state}`, anonymous.result, anonymous.cpu, []);
    const signed = await ctx.load({ mode: 'autocannon', seconds: ctx.seconds, connections: 32, request: { name: 'signed-in list', urls: [`${ctx.gw}/api/articles?limit=20`], headers: ctx.tokenHeaders() } });
    ctx.addLoad(`tracing-${state}-signed-in`, `signed-in list, tracing ${state}`, signed.result, signed.cpu, []);
    return { anonymous: anonymous.result.throughput, signed: signed.result.throughput };
  };
  const on = await measure('on');
  process.env.OTEL_SDK_DISABLED = 'true';
  await restartApps();
  const off = await measure('off');
  delete process.env.OTEL_SDK_DISABLED;
  await restartApps();
  const cost = (a: number, b: number) => `${((1 - a / b) * 100).toFixed(1)} %`;
  ctx.report(`tracing costs ${cost(on.anonymous, off.anonymous)} of anonymous and ${cost(on.signed, off.signed)} of signed-in throughput (the apps were restarted: memory after this is not comparable)`);
};

/** `GET /api/tags` via the gateway, via its sidecar only, and sent directly to blog. */
const tags: Scenario = async (ctx) => {
  const blog = ctx.stack.apps.get('blog')!;
  const gwApp = ctx.stack.apps.get('gateway')!;
  const runs: [string, string, RequestSpec][] = [
    ['tags', 'tags via gateway + 2 sidecars (max)', { name: 'tags', urls: [`${ctx.gw}/api/tags`] }],
    ['tags-sidecar', "tags via the gateway's sidecar only (max)", { name: 'tags', urls: [`http://127.0.0.1:${gwApp.daprHttpPort}/v1.0/invoke/blog/method/api/tags`], headers: [{ 'dapr-api-token': gwApp.daprApiToken }] }],
    ['tags-direct', 'tags sent directly to blog (max)', { name: 'tags', urls: [`http://127.0.0.1:${blog.appPort}/api/tags`], headers: [{ 'dapr-api-token': blog.appApiToken, 'dapr-caller-app-id': 'gateway' }] }],
  ];
  for (const [id, title, request] of runs) {
    const { result, cpu } = await ctx.load({ mode: 'autocannon', seconds: ctx.seconds, connections: 32, request });
    ctx.addLoad(id, title, result, cpu, []);
  }
};

/** In the order a full run measures them (issue 17's table); `tracing` and `tags` run only when named. */
export const SCENARIOS: Record<string, Scenario> = { 'signed-in': signedIn, list, steady, create, login, events, mixed };
export const EXTRA_SCENARIOS: Record<string, Scenario> = { tracing, tags };
export const ALIASES: Record<string, string> = { direct: 'list', anonymous: 'list' };
