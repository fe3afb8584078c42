/**
 * Benchmarks for issue 17's targets, in one run (README, "Benchmarks"). Boots its own stack (free ports,
 * vcd_bench_* databases, its own Redis) with rate limits raised and instrumentation on, seeds it, runs the chosen
 * scenarios, prints each with its target, CPU milliseconds per request of every process and the change since the
 * saved results, then memory, the stack's start-to-ready time and a summary table; saves the results in .bench/.
 *   npm run bench                       every scenario of the table (not the soak)
 *   npm run bench -- list login         some of them (signed-in, list, steady, create, login, events, mixed; tracing, tags)
 *   npm run bench -- soak               the soak (BENCH_SOAK_SECONDS, default 600)
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitOnSignals, type LogSink } from '../runner/processes.js';
import { compileWorkspace } from '../runner/compiled-apps.js';
import { startStack, type Stack } from '../runner/stack.js';
import { BenchContext } from './context.js';
import { startLoadGenerator, type LoadGenerator } from './loadgen-client.js';
import { standInForAutovacuum } from './maintenance.js';
import { measureMemory, SETTLE_SECONDS } from './memory.js';
import { loadSaved, saveResults, summaryTable, type RunInfo, type ScenarioResult, type Target } from './results.js';
import { ALIASES, EXTRA_SCENARIOS, SCENARIOS } from './scenarios.js';
import { seed } from './seed.js';
import { soak } from './soak.js';
import { stackProcessGroups } from './stack-processes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultsDir = path.join(root, '.bench');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DB_PREFIX = 'vcd_bench_';

const known = [...Object.keys(SCENARIOS), ...Object.keys(EXTRA_SCENARIOS), 'soak'];
const asked = process.argv.slice(2).map((a) => ALIASES[a] ?? a);
const unknown = asked.filter((a) => !known.includes(a));
if (unknown.length) {
  process.stderr.write(`unknown scenario(s): ${unknown.join(', ')}; known: ${known.join(', ')} (aliases: ${Object.entries(ALIASES).map(([a, b]) => `${a} = ${b}`).join(', ')})\n`);
  process.exit(2);
}
const wanted = asked.length ? known.filter((n) => asked.includes(n)) : Object.keys(SCENARIOS);

for (const name of ['IP_PER_MINUTE', 'USER_PER_MINUTE', 'LOGIN_PER_MINUTE', 'REGISTER_PER_HOUR', 'PASSWORD_RESET_PER_HOUR']) {
  process.env[`RATE_LIMIT_${name}`] = '1000000000';
}
// auth's own throttles too: the login scenario sends one account's right password from one address, 8 at a time.
process.env.LOGIN_FAILURES_PER_ACCOUNT_AND_IP = '1000000000';
process.env.LOGIN_FAILURES_PER_IP = '1000000000';
process.env.REGISTRATIONS_PER_IP_PER_HOUR = '1000000000';
process.env.LOG_LEVEL = 'warn';

const commit = (() => {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
})();
const runInfo: RunInfo = { date: new Date().toISOString(), commit, cores: os.cpus().length, loadavgAtStart: os.loadavg()[0]! };
const saved = await loadSaved(resultsDir);

const runDir = await mkdtemp(path.join(os.tmpdir(), 'vcd-bench-'));
const log = createWriteStream(path.join(runDir, 'stack.log'));
// The runner's steps with their time since the start: where the start-up time goes.
const steps: [number, string][] = [];
let startedAt = performance.now();
const sink: LogSink = {
  line: (n, _s, t) => log.write(`${n} | ${t}\n`),
  runner: (t) => {
    steps.push([performance.now() - startedAt, t]);
    log.write(`runner | ${t}\n`);
  },
};
// The apps run as compiled JavaScript, as the images run them (ADR 20: what ships is what is measured);
// BENCH_TSX=1 measures them through the tsx loader, as `npm start` runs them.
const compiledDir = process.env.BENCH_TSX === '1' ? undefined : path.join(runDir, 'compiled');
const compileStarted = performance.now();
if (compiledDir) await compileWorkspace(root, compiledDir);
const compileSeconds = (performance.now() - compileStarted) / 1000;
startedAt = performance.now();
exitOnSignals();
const stack: Stack = await startStack({
  compiledDir,
  root,
  ports: 'free',
  dbPrefix: DB_PREFIX,
  redisDB: 7,
  runDir,
  secretsFile: path.join(runDir, 'secrets.json'),
  resetDatabases: true,
  sink,
  // BENCH_LOG_LEVEL=info shows, among others, each app's idle compactions in the stack log.
  logLevel: benchLogLevel(),
  // Instrumentation on: every app and sidecar traces and exports its spans (to the runner's receiver), everything
  // sampled as in development unless BENCH_TRACE_SAMPLING (0–1) sets the ratio a deployment would use.
  observability: 'test',
  traceSamplingRate: process.env.BENCH_TRACE_SAMPLING ? Number(process.env.BENCH_TRACE_SAMPLING) : undefined,
});
const readySeconds = (performance.now() - startedAt) / 1000;

let loadgen: LoadGenerator | undefined;
let ctx: BenchContext | undefined;
let failed = false;
const vacuum = await standInForAutovacuum(
  process.env.PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  ['auth', 'blog', 'user'].map((app) => `${DB_PREFIX}${app}`),
);
try {
  loadgen = await startLoadGenerator();
  const groups = stackProcessGroups(stack, { dbPrefix: DB_PREFIX, loadGeneratorPid: () => loadgen?.pid });
  ctx = new BenchContext(stack, loadgen, groups, saved, runInfo, SECONDS, await seed(stack.gatewayUrl!));
  ctx.report(`# VCD Simple Blog benchmarks, ${runInfo.date.slice(0, 16).replace('T', ' ')} UTC, commit ${commit}`);
  ctx.report(`# ${runInfo.cores} cores, load average ${runInfo.loadavgAtStart.toFixed(2)} at the start; ${SECONDS} s per scenario; scenarios: ${wanted.join(', ')}; stack log ${path.join(runDir, 'stack.log')}`);
  if (vacuum.active) ctx.report('# this Postgres runs with autovacuum off: the bench vacuums and analyzes its databases in its place, as autovacuum would: the tables past its thresholds, every 20 s, with its cost delay (maintenance.ts)');

  const ready: ScenarioResult = {
    id: 'ready',
    compared: ['seconds'],
    title: 'stack ready after start',
    metrics: { seconds: Math.round(readySeconds * 10) / 10 },
    targets: [{ metric: 'seconds', op: '<=', value: 10, row: 'stack ready after start (daprd built)' }],
  };
  const stepText = [...steps.map(([t, s]) => `${(t / 1000).toFixed(1)} s ${s.split(/[(:\n]/)[0]!.trim()}`), `${ready.metrics.seconds} s ready`].join(', ');
  const how = compiledDir ? `apps as compiled JavaScript, compiled beforehand in ${compileSeconds.toFixed(1)} s` : 'apps through tsx';
  ctx.add(ready, `stack ready ${ready.metrics.seconds} s after startStack (${how}; fresh databases, migrations; runner steps: ${stepText})`, undefined, 0);

  for (const name of wanted) {
    if (name === 'soak') continue;
    await (SCENARIOS[name] ?? EXTRA_SCENARIOS[name])!(ctx);
  }
  if (wanted.includes('soak')) await soak(ctx);

  // Memory after the bench: every process of the stack (VmRSS, with each process's descendants), once as the load
  // ends and once after the stack has been idle for SETTLE_SECONDS (V8 gives back its young generation and the
  // garbage of the last scenario only when its memory reducer runs, some seconds after the load stops). The targets
  // are checked on the second: what a service holds after the bench, not the last scenario's garbage.
  const atLoadEnd = await measureMemory(stack, groups);
  const apps = [...stack.apps.keys()];
  if (SETTLE_SECONDS > 0) await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000));
  const memory = SETTLE_SECONDS > 0 ? await measureMemory(stack, groups) : atLoadEnd;
  const settled = SETTLE_SECONDS > 0 ? `, idle ${SETTLE_SECONDS} s after the load (BENCH_SETTLE_SECONDS)` : '';
  ctx.report(
    `RSS as the load ended (MiB): ${apps.map((id) => `${id} ${atLoadEnd.rss[id]}`).join(', ')}; sidecars ${apps.map((id) => `${id}:daprd ${atLoadEnd.rss[`${id}:daprd`]}`).join(', ')}; apps + sidecars ${atLoadEnd.stackMiB} (PSS ${atLoadEnd.stackPssMiB})`,
  );
  const targets: Target[] = apps.map((id) => ({ metric: `rss:${id}`, op: '<=', value: 120, row: `RSS of ${id} (Node) after the bench` }));
  targets.push({ metric: 'rss:stack', op: '<=', value: 1024, row: 'RSS of the stack after the bench (4 apps + 4 sidecars)' });
  const metrics: Record<string, number> = { 'rss:stack': memory.stackMiB, 'pss:stack': memory.stackPssMiB };
  for (const [name, mib] of Object.entries(memory.rss)) metrics[`rss:${name}`] = mib;
  for (const [name, mib] of Object.entries(memory.pss)) metrics[`pss:${name}`] = mib;
  const others = Object.keys(memory.rss).filter((n) => !apps.includes(n.replace(/:daprd$/, '')));
  ctx.add(
    { id: 'memory', title: 'RSS after the bench', metrics, targets, compared: ['rss:stack', ...apps.flatMap((id) => [`rss:${id}`, `rss:${id}:daprd`])] },
    `RSS after the bench${settled} (MiB, now / peak): ${apps.map((id) => `${id} ${memory.rss[id]}/${memory.peak[id]}`).join(', ')}; sidecars ${apps.map((id) => `${id}:daprd ${memory.rss[`${id}:daprd`]}/${memory.peak[`${id}:daprd`]}`).join(', ')}; apps + sidecars ${memory.stackMiB}`,
    undefined,
    0,
  );
  const parts = (n: string) => `${n} ${memory.anon[n]}+${memory.file[n]} (pss ${memory.pss[n]})`;
  ctx.report(`    private + shared file pages (MiB; pss: shared pages divided among the processes mapping them): ${apps.flatMap((id) => [parts(id), parts(`${id}:daprd`)]).join(', ')}`);
  ctx.report(`    apps + sidecars by PSS (each page of the shared node and daprd executables counted once): ${memory.stackPssMiB} MiB`);
  ctx.report(`    V8 heap of each app, used / total (of which the young generation), and memory outside it (external, MiB; from its /metrics): ${(await Promise.all(apps.map(async (id) => `${id} ${await heapOf(stack.apps.get(id)!.metricsPort)}`))).join(', ')}`);
  ctx.report(`    apps: ${apps.map((id) => `${id}: ${memory.notes[id]}`).join('; ')}`);
  ctx.report(`    besides (not in the stack's total): ${others.map((n) => `${n} ${memory.rss[n]}`).join(', ')} MiB (postgres: the stack's backends and the server's own processes; shared buffers counted once per process)`);
  const spans = stack.spansReceived();
  if (spans) ctx.report(`spans: the bench's receiver acknowledged ${spans.exports} OTLP exports (${(spans.bytes / 1048576).toFixed(1)} MiB) from the apps and sidecars, kept undecoded (trace-sink.ts)`);
} catch (err) {
  failed = true;
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n(stack log: ${path.join(runDir, 'stack.log')})\n`);
} finally {
  await vacuum.stop();
  await loadgen?.close();
  await stack.stop();
  log.end();
}

if (ctx?.results.length) {
  // Others' work: the load average before the bench loaded the machine, and what the rest of the machine used
  // during the scenarios (loopback networking in the kernel shows there too: a few hundredths of a core).
  const other = runInfo.otherCoresMax ?? 0;
  const busy = runInfo.loadavgAtStart > 0.5 || other > 0.3 ? ', measured while other work ran' : '';
  const summary = [
    `Measured ${runInfo.date.slice(0, 10)} on ${runInfo.cores} cores, commit ${commit}${busy} (load average ${runInfo.loadavgAtStart.toFixed(2)} before the bench; the rest of the machine used up to ${other.toFixed(2)} cores during a scenario).`,
    '',
    ...summaryTable(ctx.results),
  ];
  ctx.report('');
  ctx.report('## Summary');
  for (const line of summary) ctx.report(line);
  await saveResults(resultsDir, saved, ctx.results, ctx.lines, summary);
  ctx.report('');
  ctx.report(`saved in ${path.relative(root, resultsDir)}/last.json (the one before in previous.json), the report in last.txt, the table in last.md`);
}
process.exit(failed ? 1 : 0);

/** The stack's log level: BENCH_LOG_LEVEL if it names one the apps accept, `warn` without it. */
function benchLogLevel(): string {
  const level = process.env.BENCH_LOG_LEVEL ?? 'warn';
  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
  if (levels.includes(level)) return level;
  process.stderr.write(`BENCH_LOG_LEVEL=${level}: not a log level (${levels.join(', ')})\n`);
  process.exit(2);
}

/** An app's V8 heap (used / total) and external memory, in MiB, from its Prometheus endpoint (prom-client's defaults). */
async function heapOf(metricsPort: number): Promise<string> {
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => '');
  const mib = (name: string, labels = '(?:\\{[^}]*\\})?') => {
    const m = new RegExp(`^${name}${labels} ([0-9.e+]+)$`, 'm').exec(text);
    return m ? String(Math.round(Number(m[1]) / 1048576)) : '?';
  };
  const young = mib('nodejs_heap_space_size_total_bytes', '\\{space="new"\\}');
  return `${mib('nodejs_heap_size_used_bytes')}/${mib('nodejs_heap_size_total_bytes')} (young generation ${young}) +${mib('nodejs_external_memory_bytes')}`;
}
