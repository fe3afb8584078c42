import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { jaegerAvailable, prometheusAvailable } from '../../scripts/runner/observability.js';
import { alive } from '../../scripts/runner/processes.js';
import { stack } from '../support/stack.js';

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Starts the real dev runner for one app on free ports, sharing the test databases and (a copy of) the secrets:
 * the runner writes where its own Redis listens into its secrets file, which must not move the test stack's.
 */
async function startRunner(only: string): Promise<{ runner: ChildProcess; pids: number[]; output: string[] }> {
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'vcd-runner-'));
  const secretsFile = path.join(runDir, 'secrets.json');
  await copyFile(path.join(stack().runDir, 'secrets.json'), secretsFile);
  const runner = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/dev.ts', '--only', only, '--free-ports', '--db-prefix', stack().dbPrefix ?? 'vcd_test_', '--redis-db', String((stack().redisDB ?? 9) + 1), '--run-dir', runDir,
      '--secrets-file', secretsFile],
    { cwd: stack().root, env: { ...process.env, RUNNER_REPORT_PIDS: '1', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const pids = await new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runner not ready:\n${output.join('\n')}`)), 90_000);
    for (const s of [runner.stdout!, runner.stderr!]) {
      createInterface({ input: s }).on('line', (line) => {
        output.push(line);
        const m = /^RUNNER_PIDS (.*)$/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(JSON.parse(m[1]!) as number[]);
        }
      });
    }
    runner.once('exit', (code) => reject(new Error(`runner exited early (${code}):\n${output.join('\n')}`)));
  });
  return { runner, pids, output };
}

const exitOf = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

test.serial('Ctrl-C on the runner stops every process it started', async (t) => {
  const { runner, pids } = await startRunner('blog');
  // Plus the observability backends the runner starts (docs/observability.md): Prometheus, and Jaeger once built.
  t.is(pids.length, 4 + Number(prometheusAvailable()) + Number(jaegerAvailable()), 'the app, its daprd, sentry, Redis, Prometheus, Jaeger');
  t.true(pids.every(alive));
  runner.kill('SIGINT');
  t.is(await exitOf(runner), 0);
  t.deepEqual(pids.filter(alive), [], 'no process left');
  t.deepEqual(pids.filter(groupAlive), [], 'no process left in their process groups');
});

test.serial('when one process dies the runner says which and why, and stops the rest', async (t) => {
  const { runner, pids, output } = await startRunner('blog');
  const [appPid, daprdPid] = pids;
  process.kill(appPid!, 'SIGKILL');
  t.is(await exitOf(runner), 1);
  const text = output.join('\n');
  t.regex(text, /blog exited unexpectedly \(signal SIGKILL\)/);
  t.false(alive(daprdPid!), 'its sidecar was stopped too');
});
