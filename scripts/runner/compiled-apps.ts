import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { AppSpec } from './app-manifest.js';

/**
 * The apps as the images run them (docker/Dockerfile, ADR 20): every TypeScript source of `packages/` and
 * `services/` transformed file by file with esbuild (the same transform tsx applies), the workspace packages'
 * exports pointed at the `.js` files, then each service bundled into its `dist/` by docker/bundle-service.mjs, and
 * the apps started with `node --import ./dist/register.js dist/main.js` instead of through the tsx loader (the
 * per-file tree stays for the migrations). Used by the bench (what ships is what is measured); `npm start` and the
 * tests keep tsx.
 */
export async function compileWorkspace(root: string, outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const skip = (src: string) => /(^|\/)(node_modules|test)(\/|$)/.test(path.relative(root, src));
  for (const dir of ['packages', 'services']) await cp(path.join(root, dir), path.join(outDir, dir), { recursive: true, filter: (src) => !skip(src) });
  const sources = (await listFiles(outDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  await build({ entryPoints: sources, outdir: outDir, outbase: outDir, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
  await Promise.all(sources.map((f) => unlink(f)));
  for (const pkg of await readdir(path.join(outDir, 'packages'))) {
    const file = path.join(outDir, 'packages', pkg, 'package.json');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/"\.\/src\/([^"]*)\.ts"/g, '"./src/$1.js"'));
  }
  // Dependencies resolve as in the workspace: the root's node_modules, with @vcd/* pointing at the compiled packages.
  const modules = path.join(outDir, 'node_modules');
  await mkdir(path.join(modules, '@vcd'), { recursive: true });
  for (const entry of await readdir(path.join(root, 'node_modules'))) {
    if (entry !== '@vcd') await symlink(path.join(root, 'node_modules', entry), path.join(modules, entry));
  }
  for (const pkg of await readdir(path.join(outDir, 'packages'))) await symlink(path.join(outDir, 'packages', pkg), path.join(modules, '@vcd', pkg));
  for (const service of await readdir(path.join(root, 'services'))) {
    const own = path.join(root, 'services', service, 'node_modules');
    if ((await readdir(own).catch(() => [])).length) await symlink(own, path.join(outDir, 'services', service, 'node_modules'));
  }
  const bundler = path.join(root, 'docker/bundle-service.mjs');
  await Promise.all((await readdir(path.join(outDir, 'services'))).map((service) => run(process.execPath, [bundler, path.join(outDir, 'services', service)])));
}

const run = promisify(execFile);

/**
 * `spec` started from the compiled workspace as the images start it: its folder there, its command without the tsx
 * loader, the bundle's telemetry entry for `@vcd/telemetry/register` and the bundle's `dist/main.js` for `src/main.ts`.
 */
export function compiledSpec(spec: AppSpec, root: string, outDir: string): AppSpec {
  const command: string[] = [];
  for (let i = 0; i < spec.command.length; i++) {
    if (spec.command[i] === '--import' && spec.command[i + 1] === 'tsx') {
      i++;
      continue;
    }
    const arg = spec.command[i]!;
    command.push(arg === '@vcd/telemetry/register' ? './dist/register.js' : arg === 'src/main.ts' ? 'dist/main.js' : arg);
  }
  return { ...spec, appDir: path.join(outDir, path.relative(root, spec.appDir)), command };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else out.push(full);
  }
  return out;
}
