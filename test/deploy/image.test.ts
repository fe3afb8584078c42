import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { readManifest } from '../../scripts/runner/app-manifest.js';
import { compiledSpec } from '../../scripts/runner/compiled-apps.js';
import { repoRoot } from '../../deploy/validate/manifests.js';

/** Reads docker/Dockerfile as instructions (continuation lines joined, comments dropped). */
async function instructions(): Promise<{ op: string; args: string }[]> {
  const text = (await readFile(path.join(repoRoot, 'docker/Dockerfile'), 'utf8')).replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

test('the image builds from a pinned Node LTS, installs production dependencies only from the lockfile, and runs as a non-root user', async (t) => {
  const ins = await instructions();
  const nodeImage = ins.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='))!.args.split('=')[1]!;
  const major = Number(/^node:(\d+)/.exec(nodeImage)?.[1]);
  t.true(major >= 22 && major % 2 === 0, `${nodeImage}: an even-numbered (LTS) Node line, 22 or newer`);
  // Build stages may use an image with npm (NODE_BUILD_IMAGE, by default the same image); the runtime stage is NODE_IMAGE.
  const froms = ins.filter((i) => i.op === 'FROM').map((i) => i.args);
  const stages = froms.map((f) => /\bAS\s+(\S+)$/i.exec(f)?.[1]);
  t.true(
    froms.every((f, i) => f.startsWith('${NODE_IMAGE}') || f.startsWith('${NODE_BUILD_IMAGE}') || stages.slice(0, i).includes(f.split(/\s+/)[0])),
    froms.join(', '),
  );
  t.true(froms.at(-1)!.startsWith('${NODE_IMAGE}'));
  t.true(ins.some((i) => i.op === 'ARG' && i.args === 'NODE_BUILD_IMAGE=${NODE_IMAGE}'));
  const install = ins.find((i) => i.op === 'RUN' && i.args.includes('npm ci'))!.args;
  t.regex(install, /npm ci --omit=dev/);
  t.regex(install, /--workspace "services\/\$\{SERVICE\}"/);
  const finalStage = ins.slice(ins.map((i) => i.op).lastIndexOf('FROM'));
  t.deepEqual(finalStage.filter((i) => i.op === 'USER').map((i) => i.args), ['node']);
  t.true(finalStage.some((i) => i.op === 'HEALTHCHECK' && i.args.includes('/healthz')));
});

test('the recipe builds with the classic builder: no frontend image, no BuildKit-only mounts', async (t) => {
  const text = await readFile(path.join(repoRoot, 'docker/Dockerfile'), 'utf8');
  t.notRegex(text, /^#\s*syntax=/m);
  t.notRegex(text, /--mount=/);
});

test("the image starts a service the way dapr.yaml does (its bundle, as the bench and the system tests start it), from the service's directory", async (t) => {
  const ins = await instructions();
  const cmd = JSON.parse(ins.filter((i) => i.op === 'CMD').at(-1)!.args) as string[];
  // Development runs the TypeScript through tsx; the image runs the bundle its build makes (docker/bundle-service.mjs).
  for (const app of (await readManifest(repoRoot)).apps) t.deepEqual(cmd, compiledSpec(app, repoRoot, '/compiled').command, app.appId);
  t.deepEqual(cmd, ['node', '--import', './dist/register.js', 'dist/main.js']);
  t.is(ins.filter((i) => i.op === 'WORKDIR').at(-1)!.args, '/app/services/${SERVICE}');
  const build = ins.find((i) => i.op === 'RUN' && i.args.includes('bundle-service.mjs'))?.args ?? '';
  t.regex(build, /node \/compiler\/bundle-service\.mjs services\/\$\{SERVICE\}/, 'the image bundles with the same script as the bench');
});

test('the build context leaves out secrets, local state, dependencies and tests', async (t) => {
  const ignore = (await readFile(path.join(repoRoot, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  t.is(ignore[0], '*', 'everything is excluded unless listed');
  const included = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  t.deepEqual(included.filter((p) => /secret|\.run|node_modules|\.git/.test(p)), []);
  for (const pattern of ['**/node_modules', '**/test', '**/dist']) t.true(ignore.includes(pattern), pattern);
});
