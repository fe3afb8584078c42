/**
 * The Docker engine and CLI the image and compose tooling use. Debian's /usr/bin/docker (20.10, classic builder)
 * is preferred over any other docker on PATH, which may lack buildx; DOCKER overrides it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const dockerBin = process.env.DOCKER || (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');
export const composeBin = process.env.DOCKER_COMPOSE || (existsSync('/usr/bin/docker-compose') ? '/usr/bin/docker-compose' : 'docker-compose');

/** Runs the docker CLI and returns its stdout, or throws with its stderr. */
export function docker(args: string[], opts: { input?: string | Buffer; allowFail?: boolean } = {}): string {
  const r = spawnSync(dockerBin, args, { encoding: 'utf8', input: opts.input, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${dockerBin} ${args[0]}: ${r.error.message}`);
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${dockerBin} ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.status === 0 ? r.stdout : '';
}

export function engineRunning(): boolean {
  const r = spawnSync(dockerBin, ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 && r.stdout.trim() !== '';
}

/** Whether a Docker engine can be had here: running, or installed and startable (we are root). */
export function engineAvailable(): boolean {
  if (engineRunning()) return true;
  return existsSync('/usr/sbin/dockerd') && process.getuid?.() === 0;
}

/**
 * Makes sure an engine answers: starts /usr/sbin/dockerd (logging to /var/log/dockerd.log) when we are root and
 * none runs, then waits for `docker info`. Throws saying what to do when it cannot.
 */
export async function ensureEngine(log: (line: string) => void = () => {}): Promise<void> {
  if (engineRunning()) return;
  if (!existsSync('/usr/sbin/dockerd')) throw new Error('no Docker engine: install one (Debian: apt-get install docker.io) or start yours');
  if (process.getuid?.() !== 0) throw new Error('the Docker engine is not running; start it (as root: dockerd >/var/log/dockerd.log 2>&1 &)');
  log('starting the Docker engine (dockerd, log in /var/log/dockerd.log)');
  const out = openSync('/var/log/dockerd.log', 'a');
  spawn('/usr/sbin/dockerd', [], { detached: true, stdio: ['ignore', out, out] }).unref();
  for (let i = 0; i < 60; i++) {
    await sleep(1000);
    if (engineRunning()) return;
  }
  throw new Error('dockerd did not answer within 60 s; see /var/log/dockerd.log');
}

export interface ImageInfo {
  id: string;
  size: number;
  labels: Record<string, string>;
}

export function inspectImage(name: string): ImageInfo | undefined {
  const out = docker(['image', 'inspect', '--format', '{{json .}}', name], { allowFail: true }).trim();
  if (!out) return undefined;
  const j = JSON.parse(out) as { Id: string; Size: number; Config?: { Labels?: Record<string, string> | null } };
  return { id: j.Id, size: j.Size, labels: j.Config?.Labels ?? {} };
}
