import pg from 'pg';
import { describeErrors, type BenchContext } from './context.js';
import type { IntervalReport, RequestSpec } from './load-spec.js';
import { measureMemory, SETTLE_SECONDS, type MemoryReport } from './memory.js';
import { kindsLine, mixedSpecs } from './scenarios.js';
import { BENCH_PROCESS, LOAD_GENERATOR } from './stack-processes.js';

/**
 * The soak (issue 17): BENCH_SOAK_SECONDS (default 600) at half the measured maximum of the mixed load (open loop,
 * steady pace), mixing reads, writes (creates, comments, favorites), logins and events. Prints every minute the
 * load's p99 and errors, each service's outbox backlog (unpublished rows) and the stack's memory; at the end the
 * errors (must be 0), each process's RSS at the start, at minute 2 and at the end (growth from minute 2 < 5 %), and
 * how long the outboxes took to empty. Also what the soak left behind: each process's RSS idle BENCH_SETTLE_SECONDS
 * before the load and again after it (the apps' idle compaction gives back the load's garbage and malloc's free
 * memory, so a leak shows there and memory merely kept for reuse, such as auth's argon2id blocks, does not).
 */

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rows waiting to be published: each service's outbox (packages/messaging), and auth's mail outbox. */
async function backlog(dbs: Map<string, pg.Client>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [app, db] of dbs) {
    out[app] = (await db.query(`select count(*)::int as n from outbox where published_at is null`)).rows[0].n;
    if (app === 'auth') out['auth mail'] = (await db.query(`select count(*)::int as n from mail_outbox where sent_at is null`)).rows[0].n;
  }
  return out;
}

const backlogText = (b: Record<string, number>) => Object.entries(b).map(([k, n]) => `${k} ${n}`).join(', ');

function soakMix(ctx: BenchContext): RequestSpec[] {
  const { gw } = ctx;
  const { slugs, readers, author } = ctx.data;
  const [anonymous, signedIn, create] = mixedSpecs(ctx);
  const article = (suffix = '') => slugs.map((s) => `${gw}/api/articles/${s}${suffix}`);
  const blog = ctx.stack.apps.get('blog')!;
  return [
    { ...anonymous!, weight: 50 },
    { ...signedIn!, weight: 20 },
    { name: 'article', weight: 6, urls: article(), headers: [{}, ...ctx.tokenHeaders()] },
    { ...create!, weight: 5 },
    { name: 'comment', weight: 5, method: 'POST', urls: article('/comments'), headers: ctx.tokenHeaders(), body: { type: 'comment' } },
    { name: 'favorite', weight: 3, method: 'POST', urls: article('/favorite'), headers: ctx.tokenHeaders() },
    { name: 'unfavorite', weight: 3, method: 'DELETE', urls: article('/favorite'), headers: ctx.tokenHeaders() },
    ...readers.map((u): RequestSpec => ({
      name: 'login', weight: 1 / readers.length, method: 'POST', urls: [`${gw}/api/users/login`], body: { type: 'json', value: { user: { email: u.email, password: u.password } } },
    })),
    // post.published as blog's relay publishes it, for the author the readers follow: a notification for each.
    {
      name: 'event', weight: 7, method: 'POST', urls: [`http://127.0.0.1:${blog.daprHttpPort}/v1.0/publish/pubsub/post.published`],
      headers: [{ 'dapr-api-token': blog.daprApiToken }], body: { type: 'post.published', authorId: author.id },
    },
  ];
}

export async function soak(ctx: BenchContext): Promise<void> {
  const seconds = env('BENCH_SOAK_SECONDS', 600);
  let rate = env('BENCH_SOAK_RATE', 0);
  if (!rate) {
    // Half the maximum of the soak's own mix (its events, logins and writes cost more than the mixed load's), measured
    // first with a closed loop: at the mixed load's half the soak would run over its capacity and only measure a queue.
    const probe = Math.min(env('BENCH_MIXED_SECONDS', 600), 60);
    await ctx.refreshTokens();
    const { result } = await ctx.load({ mode: 'closed', seconds: probe, connections: 32, mix: soakMix(ctx) });
    ctx.report(`soak: the soak mix's maximum, measured for ${probe} s: ${result.throughput.toFixed(0)} req/s (p99 ${result.p99} ms, ${describeErrors(result)})`);
    rate = Math.max(1, Math.floor(result.throughput / 2));
  }
  const settled = async () => {
    await sleep(SETTLE_SECONDS * 1000);
    return measureMemory(ctx.stack, ctx.groups);
  };
  const interval = seconds >= 300 ? 60 : Math.max(5, Math.round(seconds / 6));
  const baselineAt = Math.min(120, seconds * 0.2);
  ctx.report(`soak: ${seconds} s at ${rate} req/s (half the soak mix's maximum${process.env.BENCH_SOAK_RATE ? ', set by BENCH_SOAK_RATE' : ''}); reports every ${interval} s; memory growth measured from ${baselineAt} s to the end`);

  const dbs = new Map<string, pg.Client>();
  for (const app of ['auth', 'blog', 'user']) {
    const db = new pg.Client({ connectionString: ctx.stack.secrets[`${app}-database-url`] });
    await db.connect();
    dbs.set(app, db);
  }
  try {
    const idleBefore = SETTLE_SECONDS > 0 ? await settled() : undefined;
    await ctx.refreshTokens();
    const mix = soakMix(ctx);
    const memory: { start?: MemoryReport; baseline?: MemoryReport; end?: MemoryReport } = {};
    memory.start = await measureMemory(ctx.stack, ctx.groups);
    const intervals: { report: IntervalReport; backlog: Record<string, number>; stackMiB: number }[] = [];
    let pending = Promise.resolve();
    const onInterval = (report: IntervalReport) => {
      // Sampled in order, while the load goes on.
      pending = pending.then(async () => {
        const [b, m] = await Promise.all([backlog(dbs), measureMemory(ctx.stack, ctx.groups)]);
        intervals.push({ report, backlog: b, stackMiB: m.stackMiB });
        const span = report.toSeconds - report.fromSeconds;
        ctx.report(
          `  ${Math.round(report.toSeconds)} s: ${(report.count / span).toFixed(0)} req/s, p50 ${report.p50} ms, p99 ${report.p99} ms, errors ${report.errors}` +
            `; outbox backlog ${backlogText(b)}; apps+sidecars ${m.stackMiB} MiB`,
        );
      });
    };
    const baselineTimer = setTimeout(() => {
      pending = pending.then(async () => {
        memory.baseline = await measureMemory(ctx.stack, ctx.groups);
      });
    }, baselineAt * 1000);
    const { result: load, cpu } = await ctx.load({ mode: 'paced', seconds, rate, mix, intervalSeconds: interval }, onInterval);
    clearTimeout(baselineTimer);
    await pending;
    memory.end = await measureMemory(ctx.stack, ctx.groups);
    const drainStarted = Date.now();
    let left = await backlog(dbs);
    while (Object.values(left).some((n) => n > 0) && Date.now() - drainStarted < 60_000) {
      await sleep(500);
      left = await backlog(dbs);
    }
    const drained = (Date.now() - drainStarted) / 1000;
    const leftTotal = Object.values(left).reduce((s, n) => s + n, 0);

    ctx.report(`soak: ${load.count} requests at ${load.throughput.toFixed(0)} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms, ${describeErrors(load)}${load.lateP99 && load.lateP99 > 2 ? ` (generator late by up to ${load.lateP99} ms)` : ''}`);
    ctx.report(`    by kind: ${kindsLine(load)}`);
    ctx.report(`    p99 per interval: ${intervals.map((i) => i.report.p99).join(', ')} ms; errors per interval: ${intervals.map((i) => i.report.errors).join(', ')}`);
    ctx.report(`    outbox backlog per interval (all services): ${intervals.map((i) => Object.values(i.backlog).reduce((s, n) => s + n, 0)).join(', ')}; ${leftTotal === 0 ? `empty ${drained.toFixed(1)} s after the load stopped` : `still ${backlogText(left)} after ${drained.toFixed(0)} s`}`);
    const base = memory.baseline ?? memory.start;
    const growth: Record<string, number> = {};
    ctx.report(`    RSS (MiB) at start / at ${baselineAt} s / at the end, growth from ${baselineAt} s:`);
    for (const [name, end] of Object.entries(memory.end.rss)) {
      if (name === LOAD_GENERATOR || name === BENCH_PROCESS) continue;
      const from = base.rss[name] ?? 0;
      const g = from > 0 ? ((end - from) / from) * 100 : 0;
      growth[name] = Math.round(g * 10) / 10;
      ctx.report(`      ${name.padEnd(16)} ${String(memory.start.rss[name] ?? '-').padStart(5)} ${String(from).padStart(5)} ${String(end).padStart(5)}  ${g >= 0 ? '+' : ''}${g.toFixed(1)} %`);
    }
    const inStack = (name: string) => ctx.stack.apps.has(name.replace(/:daprd$/, ''));
    const watched = Object.entries(growth).filter(([name]) => inStack(name));
    const [worst, worstGrowth] = watched.sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
    // What the soak left behind, read where nothing is kept for the next request: idle before the load and after it.
    const leftBehind: Record<string, number> = {};
    if (idleBefore) {
      const idleAfter = await settled();
      ctx.report(`    RSS (MiB) idle ${SETTLE_SECONDS} s before the load / idle ${SETTLE_SECONDS} s after it (the outboxes empty), what the soak left behind:`);
      for (const [name, after] of Object.entries(idleAfter.rss)) {
        const before = idleBefore.rss[name];
        if (!inStack(name) || !before) continue;
        leftBehind[name] = Math.round(((after - before) / before) * 1000) / 10;
        ctx.report(`      ${name.padEnd(16)} ${String(before).padStart(5)} ${String(after).padStart(5)}  ${leftBehind[name]! >= 0 ? '+' : ''}${leftBehind[name]!.toFixed(1)} %`);
      }
    }
    const [worstLeft, worstLeftGrowth] = Object.entries(leftBehind).sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
    const worstP99 = Math.max(0, ...intervals.map((i) => i.report.p99));
    ctx.add(
      {
        id: 'soak',
        title: `soak ${seconds} s at ${rate} req/s`,
        metrics: {
          rate, throughput: load.throughput, p50: load.p50, p99: load.p99, worstIntervalP99Ms: worstP99, errors: load.errors, requests: load.count, seconds,
          'growth%': worstGrowth, 'idleGrowth%': worstLeftGrowth, backlogLeft: leftTotal, drainSeconds: drained, ...Object.fromEntries(Object.entries(memory.end.rss).map(([k, v]) => [`rss:${k}`, v])),
        },
        compared: ['throughput', 'p99', 'errors', 'growth%', 'idleGrowth%', ...Object.keys(growth).filter(inStack).map((n) => `rss:${n}`)],
        targets: [
          { metric: 'errors', op: '<=', value: 0, row: 'soak: errors' },
          { metric: 'growth%', op: '<', value: 5, row: `soak: RSS growth from ${baselineAt} s to the end, largest app or sidecar (${worst})` },
          { metric: 'backlogLeft', op: '<=', value: 0, row: 'soak: outbox rows left 60 s after the load' },
        ],
      },
      `soak result: errors ${load.errors}, largest RSS growth ${worst} ${worstGrowth} %` +
        `${idleBefore ? `, largest idle RSS growth (left behind) ${worstLeft} ${worstLeftGrowth} %` : ''}, worst interval p99 ${worstP99} ms, outbox left ${leftTotal}`,
      cpu,
      load.count,
    );
  } finally {
    for (const db of dbs.values()) await db.end();
  }
}
