import test from 'ava';
import { access, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AppSpec } from '../app-manifest.js';
import { compiledSpec, compileWorkspace } from '../compiled-apps.js';

const exists = (file: string) => access(file).then(() => true, () => false);

test('a compiled app starts from the compiled folder, without the tsx loader, on its bundle and the bundle\'s telemetry entry', (t) => {
  const spec: AppSpec = {
    appId: 'blog',
    appDir: '/repo/services/blog',
    appPort: 3002,
    daprHttpPort: 3502,
    daprGrpcPort: 50002,
    database: true,
    env: {},
    configFile: 'dapr/blog.yaml',
    command: ['node', '--import', 'tsx', '--import', '@vcd/telemetry/register', 'src/main.ts'],
  };
  const compiled = compiledSpec(spec, '/repo', '/run/compiled');
  t.is(compiled.appDir, '/run/compiled/services/blog');
  t.deepEqual(compiled.command, ['node', '--import', './dist/register.js', 'dist/main.js']);
  t.deepEqual(spec.command, ['node', '--import', 'tsx', '--import', '@vcd/telemetry/register', 'src/main.ts'], 'the manifest is left as it was');
});

test('the compiled workspace holds no TypeScript, and its modules load through the compiled @vcd packages', async (t) => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const out = await mkdtemp(path.join(os.tmpdir(), 'vcd-compiled-'));
  try {
    await compileWorkspace(root, out);
    const files = (await readdir(out, { recursive: true })).filter((f) => !f.startsWith('node_modules') && !/\/node_modules(\/|$)/.test(f));
    t.deepEqual(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), []);
    t.false(files.some((f) => /(^|\/)test\//.test(f)), 'tests are left behind');
    t.is(await realpath(path.join(out, 'node_modules/@vcd/http')), path.join(await realpath(out), 'packages/http'));
    const slug = await import(pathToFileURL(path.join(out, 'services/blog/src/domain/slug.js')).href);
    t.is(typeof slug.slugCandidates, 'function');
    const config = await import(pathToFileURL(path.join(out, 'services/blog/src/config.js')).href);
    t.is(typeof config.loadConfig, 'function', 'a module importing @vcd/config loads (the compiled package, not its .ts)');
    for (const service of ['auth', 'blog', 'gateway', 'user']) {
      const dist = path.join(out, 'services', service, 'dist');
      const bundle = (await Promise.all((await readdir(dist, { recursive: true })).filter((f) => f.endsWith('.js')).map((f) => readFile(path.join(dist, f), 'utf8')))).join('\n');
      t.true(await exists(path.join(dist, 'main.js')) && (await exists(path.join(dist, 'register.js'))), `${service}: the app and its telemetry entry are bundled`);
      // pg stays in node_modules, where OpenTelemetry's require hook patches it as it loads (its spans are the query spans).
      t.false(bundle.includes('Client has already been connected'), `${service}: pg is not inlined`);
    }
    const blog = await readFile(path.join(out, 'services/blog/dist/main.js'), 'utf8');
    t.regex(blog, /__require\("pg"\)/, 'blog loads pg from node_modules at run time');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
