import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { canConnect } from './infra.js';
import { startProcess, type LogSink, type ManagedProcess } from './processes.js';
import { redisAclLines, type RedisPasswords } from './redis-acl.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The stack's own Redis (pub/sub streams, rate-limit counters): Debian's redis-server on loopback, with the ACL
 * users of redis-acl.ts, so nothing reaches it without a password. Its data lives in `dir` (a snapshot on stop,
 * so a development stack keeps its streams and consumer groups across restarts); `reset` starts it empty.
 */
export async function startRedis(o: { port: number; dir: string; passwords: RedisPasswords; reset?: boolean; sink: LogSink }): Promise<ManagedProcess> {
  if (await canConnect(o.port)) throw new Error(`127.0.0.1:${o.port} is taken (another stack's Redis?): stop it, or use --free-ports`);
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  if (o.reset) await rm(path.join(o.dir, 'dump.rdb'), { force: true });
  const conf = path.join(o.dir, 'redis.conf');
  const quoted = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  await writeFile(
    conf,
    [
      '# Written by the runner (scripts/runner/redis.ts) on every start.',
      'bind 127.0.0.1',
      'protected-mode yes',
      `port ${o.port}`,
      `dir ${quoted(o.dir)}`,
      'save 300 1',
      'appendonly no',
      'loglevel warning',
      ...redisAclLines(o.passwords),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const proc = startProcess('redis', 'redis-server', [conf], { cwd: o.dir, env: process.env, sink: o.sink });
  const deadline = Date.now() + 30_000;
  while (!(await canConnect(o.port))) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null || Date.now() > deadline) {
      throw new Error(`redis-server did not start on 127.0.0.1:${o.port}:\n${proc.lastLines.slice(-8).join('\n')}`);
    }
    await sleep(100);
  }
  return proc;
}
