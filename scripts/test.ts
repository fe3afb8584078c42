/**
 * The test command: boots the whole stack once (free ports, its own databases and Redis DB), runs every ava
 * test against it, then stops it. System tests find the stack through STACK_INFO.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogSink } from './runner/processes.js';
import { startStack } from './runner/stack.js';
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
const started = Date.now();
const stack = await startStack({
  root,
  ports: 'free',
  dbPrefix,
  redisDB,
  runDir,
  secretsFile: path.join(runDir, 'secrets.json'),
  resetDatabases: true,
  sink,
  logLevel: 'warn',
}).catch((err: Error) => {
  process.stderr.write(`[test-stack] could not start: ${err.message}\n(full log: ${logFile})\n`);
  process.exit(1);
});
process.stdout.write(`[test-stack] up in ${((Date.now() - started) / 1000).toFixed(1)}s; logs in ${logFile}\n`);
// A control endpoint for tests that stop and restart a service (crash/restart scenarios).
const control = createServer((req, res) => {
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
const writeInfo = () => writeFile(infoFile, JSON.stringify({ ...stackInfoOf(stack, root), dbPrefix, redisDB, controlUrl }, null, 2));
await writeInfo();

const ava = spawn(process.execPath, [path.join(root, 'node_modules/ava/entrypoints/cli.mjs'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, STACK_INFO: infoFile },
});
const code: number = await new Promise((resolve) => ava.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
control.close();
await stack.stop();
log.end();
if (code !== 0) process.stdout.write(`[test-stack] tests failed; stack log: ${logFile}\n`);
process.exit(code);
