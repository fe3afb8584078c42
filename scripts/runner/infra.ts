import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Say = (msg: string) => void;

export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function waitForPort(port: number, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(port)) return;
    await sleep(250);
  }
  throw new Error(`${what} did not start listening on 127.0.0.1:${port} within ${timeoutMs / 1000}s`);
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

let aptUpdated = false;
async function aptInstall(packages: string[], say: Say): Promise<void> {
  if (!has('apt-get')) throw new Error(`Cannot install ${packages.join(', ')}: apt-get is not available; install them by hand`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  say(`installing ${packages.join(', ')} with apt-get (one time)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    await run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'update', '-qq'], { env, maxBuffer: 1 << 26 });
    aptUpdated = true;
  }
  await run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'install', '-y', '-qq', ...packages], {
    env,
    maxBuffer: 1 << 26,
  });
}

/** Makes sure Postgres answers on 127.0.0.1:5432: installs (apt) and starts a cluster when it does not. */
export async function ensurePostgres(say: Say, port = 5432): Promise<void> {
  if (await canConnect(port)) return;
  if (!existsSync('/etc/postgresql') || readdirSync('/etc/postgresql').length === 0) {
    await aptInstall(['postgresql'], say);
  }
  const version = readdirSync('/etc/postgresql').sort().at(-1);
  if (!version) throw new Error('PostgreSQL is installed but has no cluster in /etc/postgresql');
  say(`starting PostgreSQL ${version}`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const cmd = [...sudo, 'pg_ctlcluster', '--skip-systemctl-redirect', version, 'main', 'start'];
  await run(cmd[0]!, cmd.slice(1)).catch((err: Error) => say(`pg_ctlcluster: ${err.message.trim()}`));
  await waitForPort(port, 'PostgreSQL');
  await ensureTrustedLocalAccess(say);
}

/** The dev setup connects as the postgres superuser over TCP; a fresh Debian cluster wants a password there. */
async function ensureTrustedLocalAccess(say: Say): Promise<void> {
  const probe = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-Atc', 'select 1'], { env: { ...process.env, PGCONNECT_TIMEOUT: '3' } });
  if (probe.status === 0) return;
  say('allowing local TCP connections for development (pg_hba.conf: trust on 127.0.0.1)');
  const version = readdirSync('/etc/postgresql').sort().at(-1)!;
  const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
  await run('sh', ['-c', `sed -i -E 's/^(host\\s+all\\s+all\\s+(127\\.0\\.0\\.1\\/32|::1\\/128)\\s+)\\S+/\\1trust/' ${hba} && pg_ctlcluster --skip-systemctl-redirect ${version} main reload`]);
}

/** Makes sure Debian's redis-server binary is there (the runner starts its own Redis, see redis.ts). */
export async function ensureRedisInstalled(say: Say): Promise<void> {
  if (!has('redis-server')) await aptInstall(['redis-server'], say);
}

/**
 * What a stack needs before it starts, installed and started by scripts/bootstrap.sh (scripts/ensure-infra.ts):
 * the launcher checks and explains, it installs nothing.
 */
export async function requireInfrastructure(port = 5432): Promise<void> {
  const missing: string[] = [];
  if (!(await canConnect(port))) missing.push(`PostgreSQL does not answer on 127.0.0.1:${port}`);
  if (!has('redis-server')) missing.push('redis-server is not installed');
  if (missing.length) throw new Error(`${missing.join('; ')}: run \`bash scripts/bootstrap.sh\` (npm start and npm test do), which installs and starts them`);
}
