/**
 * Benchmarks of the user service on a stack of its own (free ports, own databases and Redis DB), printing
 * numbers, never asserting them (BRIEF §4):
 *   1. post.published → stored follower notification, at a steady publish rate (p50/p99 latency);
 *   2. GetProfiles with 20 ids through two sidecars (gRPC InvokeService), sequential calls (p50/p99, calls/s).
 * Run: TEST_DB_PREFIX=vcd_bench_ TEST_REDIS_DB=13 node --import tsx services/user/bench/user-latency.ts [rate] [seconds]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DaprGrpcInvoker, UserService } from '@vcd/contracts';
import { startStack } from '../../../scripts/runner/stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const rate = Number(process.argv[2] ?? 100);
const seconds = Number(process.argv[3] ?? 10);
const runDir = await mkdtemp(path.join(os.tmpdir(), 'vcd-bench-'));
const say = (m: string) => process.stdout.write(`[bench] ${m}\n`);
const stack = await startStack({
  root,
  ports: 'free',
  dbPrefix: process.env.TEST_DB_PREFIX ?? 'vcd_bench_',
  redisDB: Number(process.env.TEST_REDIS_DB ?? 13),
  runDir,
  secretsFile: path.join(runDir, 'secrets.json'),
  resetDatabases: true,
  sink: { line: () => undefined, runner: say },
  logLevel: 'warn',
});

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return `n=${s.length} p50=${pct(s, 50).toFixed(2)} ms p90=${pct(s, 90).toFixed(2)} ms p99=${pct(s, 99).toFixed(2)} ms max=${s[s.length - 1]!.toFixed(2)} ms`;
};

const db = new pg.Client({ connectionString: stack.secrets['user-database-url'] });
await db.connect();
try {
  const blog = stack.apps.get('blog')!;
  // An author with 3 followers (one notification each per post) and 20 profiles for the batch look-up.
  const author = randomUUID();
  const followers = [randomUUID(), randomUUID(), randomUUID()];
  const profiles = Array.from({ length: 20 }, () => randomUUID());
  for (const [i, id] of [author, ...followers, ...profiles].entries()) {
    await db.query('insert into profile (id, username) values ($1, $2)', [id, `bench${i}`]);
  }
  for (const f of followers) await db.query('insert into follow (follower_id, followee_id) values ($1, $2)', [f, author]);
  await db.query('insert into follow (follower_id, followee_id) select $1, unnest($2::uuid[])', [followers[0], profiles.slice(0, 10)]);

  // 1. Event → notification latency at a steady rate.
  const publishUrl = `http://127.0.0.1:${blog.daprHttpPort}/v1.0/publish/pubsub/post.published`;
  const sentAt = new Map<string, number>();
  const total = rate * seconds;
  const started = Date.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = randomUUID();
    sentAt.set(id, Date.now());
    const event = { specversion: '1.0', id, source: 'blog', type: 'post.published', datacontenttype: 'application/json', time: new Date().toISOString(),
      data: { articleId: `a${i}`, slug: `bench-${i}`, title: `Bench ${i}`, authorId: author, publishedAt: new Date().toISOString() } };
    sends.push(fetch(publishUrl, { method: 'POST', headers: { 'dapr-api-token': blog.daprApiToken, 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) }));
  }
  await Promise.all(sends);
  const deadline = Date.now() + 120_000;
  let rows: { event_id: string; first: Date }[] = [];
  while (Date.now() < deadline) {
    rows = (await db.query(`select event_id, min(created_at) as first from notification where kind = 'new_post' group by event_id`)).rows;
    if (rows.length >= total) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const latencies = rows.map((r) => new Date(r.first).getTime() - sentAt.get(r.event_id)!);
  say(`post.published → follower notification stored, ${rate} events/s for ${seconds}s (3 followers each): ${summary(latencies)}; stored ${rows.length}/${total}`);
  say(`  (latency = notification row's created_at − publish call start; both on this machine's clock, ms resolution)`);

  // 2. GetProfiles batches through two sidecars.
  const invoker = new DaprGrpcInvoker({ host: '127.0.0.1', grpcPort: blog.daprGrpcPort, apiToken: blog.daprApiToken });
  const request = { userIds: profiles, viewerId: followers[0]! };
  for (let i = 0; i < 200; i++) await invoker.call(UserService.GetProfiles, request); // warm-up
  const calls: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < 2000; i++) {
    const s = performance.now();
    const res = await invoker.call(UserService.GetProfiles, request);
    calls.push(performance.now() - s);
    if (res.profiles.length !== 20) throw new Error(`expected 20 profiles, got ${res.profiles.length}`);
  }
  say(`GetProfiles (20 ids, viewer follows 10) via gRPC InvokeService, sequential: ${summary(calls)}; ${(2000 / ((performance.now() - t0) / 1000)).toFixed(0)} calls/s`);
} finally {
  await db.end();
  await stack.stop();
}
process.exit(0);
