/**
 * The test command: boots the whole stack once (free ports, its own databases and Redis DB), runs every ava
 * test against it (unit, component and system tests; ava.config.js), then stops it. System tests find the stack
 * through STACK_INFO; component tests use its Postgres server and Redis for databases of their own.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitOnSignals, type LogSink } from './runner/processes.js';
import { compileWorkspace } from './runner/compiled-apps.js';
import { startStack } from './runner/stack.js';
import { reportTap } from './runner/tap-report.js';
import { stackInfoOf } from './runner/stack-info.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runDir = await mkdtemp(path.join(os.tmpdir(), 'vcd-test-'));
const logFile = path.join(runDir, 'stack.log');
const log = createWriteStream(logFile);
const sink: LogSink = {
  line: (name, _s, text) => log.write(`${name} | ${text}\n`),
  runner: (text) => {
    log.write(`runner | ${text}\n`);
    process.stdout.write(`[test-stack] ${text}\n`);
  },
};

// Parallel test runs on one machine (several developers' helpers, CI) stay apart with TEST_DB_PREFIX/TEST_REDIS_DB.
const dbPrefix = process.env.TEST_DB_PREFIX ?? 'vcd_test_';
const redisDB = Number(process.env.TEST_REDIS_DB ?? 9);
// The gateway believes X-Forwarded-For from loopback in tests, so each test process can act as its own client
// address (test/support/stack.ts), and the registration budgets (gateway's and auth's own) are raised: the suite
// registers many users, one test file mostly from one address. The test of auth's budget spends it from an address
// of its own (test/security/auth-registration.test.ts).
process.env.TRUSTED_PROXIES ??= '127.0.0.1';
process.env.RATE_LIMIT_REGISTER_PER_HOUR ??= '100000';
process.env.REGISTRATIONS_PER_IP_PER_HOUR ??= '500';
// Cached author cards in blog live long here, so a test that sees a profile edit quickly proves the
// profile.updated event dropped the card (not the TTL running out).
process.env.AUTHOR_CACHE_TTL_MS ??= '60000';
// Likewise a viewer's follows: a follow that shows in lists within seconds was carried by user.followed.
process.env.FOLLOW_CACHE_TTL_MS ??= '60000';
// And the gateway's profile cards: a profile edit not made through the gateway shows in GET /api/user within
// seconds only if profile.updated dropped the card.
process.env.PROFILE_CARD_CACHE_TTL_MS ??= '60000';
// The suite registers users from many test files at once on a 2-core machine that also runs every app, sidecar
// and ava worker: argon2 queues, and a registration could outlast the gateway's 5 s upstream timeout (504). Tests
// are not timed (npm run bench measures speed), so the test stack's gateway waits up to 15 s.
process.env.UPSTREAM_TIMEOUT_MS ??= '15000';
// Sessions (ADR 13) with lifetimes a test can watch pass: short access tokens (POST /api/users/refresh) expire
// after 5 s (long enough for tests that use one right after refreshing on a loaded machine), while login and
// registration tokens live with their session; a session's use is written at most every second; an idle timeout
// of an hour, which test/system/auth-sliding-sessions.test.ts crosses by moving a session's last use back in the
// database (not by sleeping), so no other test's session can go idle while it waits.
process.env.ACCESS_TOKEN_TTL_SECONDS ??= '5';
process.env.SESSION_TOUCH_INTERVAL_SECONDS ??= '1';
process.env.SESSION_IDLE_TIMEOUT_SECONDS ??= '3600';
// The apps run as they ship (ADR 20): compiled and bundled as the images do (scripts/runner/compiled-apps.ts), so
// every system test also tests the bundle (the modules OpenTelemetry patches left out of it, MikroORM inside it).
// TEST_TSX=1 runs them from their TypeScript sources through tsx instead, as `npm start` does.
const compiledDir = process.env.TEST_TSX === '1' ? undefined : path.join(runDir, 'compiled');
const started = Date.now();
if (compiledDir) await compileWorkspace(root, compiledDir);
// Apps log requests (info, with their trace ids: test/system/observability.test.ts reads them); sidecars only
// warnings. LOG_LEVEL (apps) and DAPR_LOG_LEVEL (sidecars) change that when chasing a failure.
const logLevel = process.env.LOG_LEVEL ?? 'info';
const daprLogLevel = process.env.DAPR_LOG_LEVEL ?? 'warn';
exitOnSignals();
const stack = await startStack({
  root,
  ports: 'free',
  dbPrefix,
  redisDB,
  runDir,
  secretsFile: path.join(runDir, 'secrets.json'),
  resetDatabases: true,
  sink,
  logLevel,
  daprLogLevel,
  // Every app and sidecar exports its spans to the runner's own OTLP receiver; Prometheus scrapes them all.
  observability: 'test',
  compiledDir,
}).catch((err: Error) => {
  process.stderr.write(`[test-stack] could not start: ${err.message}\n(full log: ${logFile})\n`);
  process.exit(1);
});
process.stdout.write(`[test-stack] up in ${((Date.now() - started) / 1000).toFixed(1)}s; logs in ${logFile}\n`);
// A control endpoint for tests that stop and restart a service (crash/restart scenarios).
const control = createServer((req, res) => {
  const r = /^\/redis\/(pause|resume)$/.exec(req.url ?? '');
  if (req.method === 'POST' && r) {
    stack.pauseRedis(r[1] === 'pause');
    res.writeHead(204).end();
    return;
  }
  const m = /^\/apps\/([a-z]+)\/(stop|kill|start)$/.exec(req.url ?? '');
  if (req.method !== 'POST' || !m) {
    res.writeHead(404).end();
    return;
  }
  const [, appId, action] = m;
  const done = action === 'start' ? stack.startApp(appId!) : action === 'kill' ? stack.killApp(appId!) : stack.stopApp(appId!, 'app');
  done.then(
    async () => {
      await writeInfo();
      res.writeHead(204).end();
    },
    (err: Error) => res.writeHead(500).end(err.message),
  );
});
await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
const infoFile = path.join(runDir, 'stack.json');
const writeInfo = () => writeFile(infoFile, JSON.stringify({ ...stackInfoOf(stack, root), dbPrefix, redisDB, controlUrl, logFile, logLevel, daprLogLevel }, null, 2));
await writeInfo();

const totals = { passed: 0, failed: 0, failures: [] as string[] };
const runAva = async (args: string[]) => {
  // ava reports in TAP; scripts/runner/tap-report.ts prints it readably and counts the results.
  const ava = spawn(process.execPath, [path.join(root, 'node_modules/ava/entrypoints/cli.mjs'), '--tap', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, STACK_INFO: infoFile },
  });
  const exited = new Promise<number>((resolve) => ava.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  const counted = await reportTap(ava.stdout!, process.stdout, { colour: process.stdout.isTTY });
  totals.passed += counted.passed;
  totals.failed += counted.failed;
  totals.failures.push(...counted.failures);
  const code = await exited;
  // A run that ended without a complete TAP plan (ava crashed, a worker died) fails even with no failed result.
  return code === 0 && !counted.complete ? 1 : code;
};

// Tests that stop, kill or restart services (test/disruptive) run after the others, one at a time, so they
// never pull a service from under a test running in parallel.
const requested = process.argv.slice(2);
let code: number;
if (requested.length > 0) {
  code = await runAva(requested.some((f) => f.includes('test/disruptive')) ? ['--serial', ...requested] : requested);
} else {
  // Every level at once (ava.config.js): unit (`*.test.ts` beside the code), component (`*.component.test.ts`,
  // one service in-process with databases of their own) and system (test/**), all but test/disruptive. ava starts
  // files in the order of these patterns: the long system tests before test/deploy and test/docs keeps the run short.
  code = await runAva([
    'packages/*/test/**/*.test.ts',
    'services/*/test/**/*.test.ts',
    'scripts/**/*.test.ts',
    'test/system/**/*.test.ts',
    'test/security/**/*.test.ts',
    'test/deploy/**/*.test.ts',
    'test/docs/**/*.test.ts',
  ]);
  const disruptive = await runAva(['--serial', 'test/disruptive/**/*.test.ts']);
  code ||= disruptive;
}
control.close();
await stack.stop();
log.end();
if (code !== 0) process.stdout.write(`[test-stack] tests failed; stack log: ${logFile}\n`);
// The compose deployment for real (scripts/compose/test-compose.ts), after the development stack has stopped:
// whenever a Docker engine is installed (it starts dockerd if needed). COMPOSE_TEST=0 leaves it out; without an
// engine it is skipped and said so, unless CI_REQUIRE_COMPOSE=1 (set by .ci/run), which makes that a failure.
if (requested.length === 0) {
  const { engineAvailable } = await import('./images/docker.js');
  const skip = (why: string) => {
    if (process.env.CI_REQUIRE_COMPOSE === '1') {
      process.stdout.write(`\n[test-compose] FAILED: ${why}, and CI_REQUIRE_COMPOSE=1 requires the compose test\n`);
      totals.failed++;
      totals.failures.push(`the compose deployment: ${why}`);
      code ||= 1;
    } else process.stdout.write(`\n[test-compose] SKIPPED: ${why}\n`);
  };
  if (process.env.COMPOSE_TEST === '0') {
    skip('COMPOSE_TEST=0');
  } else if (!engineAvailable()) {
    skip('no Docker engine on this machine (install docker.io, or run as root so dockerd can be started)');
  } else {
    process.stdout.write('\n[test-compose] the compose deployment (npm run test:compose)\n');
    const composeCode = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/compose/test-compose.ts')], { cwd: root, stdio: 'inherit' });
      child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
    });
    if (composeCode === 0) totals.passed++;
    else {
      totals.failed++;
      totals.failures.push('the compose deployment (scripts/compose/test-compose.ts): see [compose-test] above');
    }
    code ||= composeCode;
  }
}
// A run that failed without a failing test line (ava crashed, a timeout) still counts as a failure here.
if (code !== 0 && totals.failed === 0) totals.failed = 1;
// The failures again at the very end, where a CI log's tail shows them.
for (const failure of totals.failures) process.stdout.write(`\nfailed: ${failure}`);
process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed\n`);
process.exit(code);
