// Bundles one compiled service into services/<name>/dist (ADR 20, seventh addendum):
//   node bundle-service.mjs <service folder of the compiled tree>
// The service folder holds JavaScript already (each .ts compiled to a .js beside it, the workspace packages'
// entry points pointed at .js, node_modules resolvable from it). Two entry points, split so that they share one
// copy of every module: dist/register.js (the telemetry, loaded first with --import) and dist/main.js (the app).
// Started as `node --import ./dist/register.js dist/main.js`.
//
// Kept out of the bundle, loaded from node_modules at run time:
// - the modules OpenTelemetry's instrumentations patch as they are loaded (pg, pg-pool, ioredis) and the loader
//   hook that patches them (import-in-the-middle, require-in-the-middle);
// - native addons (argon2, koffi);
// - the database drivers knex and MikroORM name for other databases (never loaded: Postgres only).
// Minified without renaming (whitespace and syntax only, names kept): MikroORM and our error mapping read class
// and function names, and stack traces stay readable. Plain JavaScript, no TypeScript: the image runs it with the
// esbuild it installs apart, the bench with the workspace's.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const PATCHED_AT_LOAD = ['pg', 'pg-pool', 'ioredis', 'import-in-the-middle', 'require-in-the-middle'];
const NATIVE = ['argon2', 'koffi'];
const OTHER_DATABASES = ['pg-native', 'pg-query-stream', 'sqlite3', 'better-sqlite3', 'libsql', 'mysql', 'mysql2', 'mariadb', 'mariadb/*', 'oracledb', 'tedious'];

const serviceDir = process.argv[2];
if (!serviceDir) {
  process.stderr.write('usage: node bundle-service.mjs <service folder of the compiled tree>\n');
  process.exit(2);
}
const register = createRequire(path.resolve(serviceDir, 'package.json')).resolve('@vcd/telemetry/register');

// A library that reads its own version with a guarded `require('../../package.json')` (MikroORM's core: the path
// that exists in its sources, not in its published files) would, left for run time, resolve from the bundle's
// folder and read the service's package.json (MikroORM then refuses to start: "Bad @mikro-orm/... version"). Such
// a require of a package.json that does not exist is bundled as the requiring package's own package.json.
const ownPackageJson = {
  name: 'own-package-json',
  setup(plugin) {
    plugin.onResolve({ filter: /^(\.\.\/)+package\.json$/ }, (args) => {
      const wanted = path.resolve(args.resolveDir, args.path);
      if (existsSync(wanted) || !args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      for (let dir = args.resolveDir; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        if (existsSync(path.join(dir, 'package.json'))) return { path: path.join(dir, 'package.json') };
      }
      return undefined;
    });
  },
};

await build({
  absWorkingDir: path.resolve(serviceDir),
  entryPoints: { main: 'src/main.js', register },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [...PATCHED_AT_LOAD, ...NATIVE, ...OTHER_DATABASES],
  // CommonJS modules inside an ES module bundle still call require() for what stays external.
  banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);" },
  plugins: [ownPackageJson],
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
});
