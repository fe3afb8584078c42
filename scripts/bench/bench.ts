/**
 * Benchmarks for the targets of BRIEF §4. Prints numbers and ratios measured side by side in one run; asserts
 * nothing. Boots its own stack (free ports, vcd_bench_* databases, Redis DB 7) with rate limits raised.
 *   npm run bench               all scenarios
 *   npm run bench -- list login  some of them (list, direct, create, login, events)
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import type { LogSink } from '../runner/processes.js';
import { startStack, type Stack } from '../runner/stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);

for (const name of ['IP_PER_MINUTE', 'USER_PER_MINUTE', 'LOGIN_PER_MINUTE', 'REGISTER_PER_HOUR', 'PASSWORD_RESET_PER_HOUR']) {
  process.env[`RATE_LIMIT_${name}`] = '1000000000';
}
process.env.LOG_LEVEL = 'warn';

const runDir = await mkdtemp(path.join(os.tmpdir(), 'vcd-bench-'));
const log = createWriteStream(path.join(runDir, 'stack.log'));
const sink: LogSink = { line: (n, _s, t) => log.write(`${n} | ${t}\n`), runner: (t) => log.write(`runner | ${t}\n`) };
const stack: Stack = await startStack({
  root,
  ports: 'free',
  dbPrefix: 'vcd_bench_',
  redisDB: 7,
  runDir,
  secretsFile: path.join(runDir, 'secrets.json'),
  resetDatabases: true,
  sink,
  logLevel: 'warn',
});
const gw = stack.gatewayUrl!;

async function call(method: string, url: string, body?: unknown, token?: string) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Token ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

type Result = autocannon.Result;
const run = (opts: autocannon.Options) => new Promise<Result>((resolve, reject) => autocannon({ duration: DURATION, ...opts }, (err, r) => (err ? reject(err) : resolve(r))));
const fmt = (r: Result) =>
  `${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${r.errors}, non-2xx ${r.non2xx}`;
const lines: string[] = [];
const report = (line: string) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

try {
  const author = await call('POST', `${gw}/api/users`, { user: { username: 'benchauthor', email: 'bench@example.test', password: 'bench password 123' } });
  const token = author.user.token as string;
  for (let i = 0; i < 40; i++) {
    await call('POST', `${gw}/api/articles`, { article: { title: `Bench article ${i}`, description: 'd', body: 'b'.repeat(2000), tagList: ['bench', `t${i % 5}`] } }, token);
  }
  report(`# VCD Simple Blog benchmarks (${os.cpus().length} cores, ${DURATION}s per scenario)`);

  if (want('list') || want('direct')) {
    const viaGateway = await run({ url: `${gw}/api/articles?limit=20`, connections: 32 });
    report(`list via gateway + 2 sidecars (max):  ${fmt(viaGateway)}`);
    const blog = stack.apps.get('blog')!;
    const direct = await run({
      url: `http://127.0.0.1:${blog.appPort}/api/articles?limit=20`,
      connections: 32,
      headers: { 'dapr-api-token': blog.appApiToken, 'dapr-caller-app-id': 'gateway' },
    });
    report(`list sent directly to blog (max):     ${fmt(direct)}`);
    report(`Dapr path / direct throughput ratio:  ${(viaGateway.requests.average / direct.requests.average).toFixed(2)} (target >= 0.80)`);
    const half = Math.floor(viaGateway.requests.average / 2);
    const paced = await run({ url: `${gw}/api/articles?limit=20`, connections: 16, overallRate: half });
    report(`list via gateway at half load (${half}/s): ${fmt(paced)} (target p99 <= 25 ms)`);
  }
  if (want('tags')) {
    const viaGateway = await run({ url: `${gw}/api/tags`, connections: 32 });
    report(`tags via gateway + 2 sidecars (max):  ${fmt(viaGateway)}`);
    const blog = stack.apps.get('blog')!;
    const viaSidecar = await run({
      url: `http://127.0.0.1:${stack.apps.get('gateway')!.daprHttpPort}/v1.0/invoke/blog/method/api/tags`,
      connections: 32,
      headers: { 'dapr-api-token': stack.apps.get('gateway')!.daprApiToken },
    });
    report(`tags via the gateway's sidecar only:  ${fmt(viaSidecar)}`);
    const direct = await run({ url: `http://127.0.0.1:${blog.appPort}/api/tags`, connections: 32, headers: { 'dapr-api-token': blog.appApiToken, 'dapr-caller-app-id': 'gateway' } });
    report(`tags sent directly to blog (max):     ${fmt(direct)}`);
  }
  if (want('create')) {
    let n = 0;
    const create = await run({
      url: `${gw}/api/articles`,
      method: 'POST',
      connections: 16,
      headers: { 'content-type': 'application/json', authorization: `Token ${token}` },
      setupClient: (client) => {
        client.setBody(JSON.stringify({ article: { title: `Created ${process.pid} ${n++} ${Math.random()}`, description: 'd', body: 'b', tagList: ['x'] } }));
      },
    });
    report(`article creation: ${fmt(create)} (target >= 300/s)`);
  }
  if (want('login')) {
    const login = await run({
      url: `${gw}/api/users/login`,
      method: 'POST',
      connections: 8,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { email: 'bench@example.test', password: 'bench password 123' } }),
    });
    report(`login (argon2id m=19456,t=2,p=1): ${fmt(login)} (target >= 50/s)`);
  }
  if (want('events')) {
    await measureEventLatency(token);
  }
} finally {
  await stack.stop();
  log.end();
}

/**
 * post.published → stored follower notification. 100 followers would multiply rows; one follower isolates the
 * event path. Publishes at ~100 events/s and reads back (notification.created_at − outbox.created_at).
 */
async function measureEventLatency(authorToken: string) {
  const follower = await call('POST', `${gw}/api/users`, { user: { username: 'benchfollower', email: 'f@example.test', password: 'bench password 123' } });
  await call('POST', `${gw}/api/profiles/benchauthor/follow`, undefined, follower.user.token);
  const total = Number(process.env.BENCH_EVENTS ?? 300);
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + i * 10; // 100/s
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    void call('POST', `${gw}/api/articles`, { article: { title: `Event ${i} ${Math.random()}`, description: 'd', body: 'b' } }, authorToken);
  }
  await new Promise((r) => setTimeout(r, 3000));
  const blogDb = new pg.Client({ connectionString: stack.secrets['blog-database-url'] });
  const userDb = new pg.Client({ connectionString: stack.secrets['user-database-url'] });
  await Promise.all([blogDb.connect(), userDb.connect()]);
  try {
    const published = await blogDb.query(`select id::text, created_at from outbox where topic = 'post.published'`);
    const sentAt = new Map(published.rows.map((r: { id: string; created_at: Date }) => [r.id, r.created_at.getTime()]));
    const stored = await userDb.query(`select i.event_id, i.received_at from inbox i where i.topic = 'post.published'`);
    const latencies = stored.rows
      .filter((r: { event_id: string }) => sentAt.has(r.event_id))
      .map((r: { event_id: string; received_at: Date }) => r.received_at.getTime() - sentAt.get(r.event_id)!)
      .sort((a: number, b: number) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    report(
      `post.published → stored notification at ~100 events/s: n=${latencies.length}/${published.rowCount}, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (targets 5 / 20 ms)`,
    );
  } finally {
    await Promise.all([blogDb.end(), userDb.end()]);
  }
}
