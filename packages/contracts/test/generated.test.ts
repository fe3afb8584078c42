import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The TypeScript in packages/contracts/src/gen/ is generated from proto/ by buf and protoc-gen-es (buf.gen.yaml)
// and checked in. It is generated again here into a temp folder: any difference means someone changed a .proto
// without `npm run contracts:gen`, or edited generated code by hand.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const GEN = 'packages/contracts/src/gen';
const bin = path.join(root, 'node_modules/.bin');
const buf = (args: string[]) =>
  spawnSync(path.join(bin, 'buf'), args, { cwd: root, encoding: 'utf8', env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` } });

function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, file), readFileSync(file, 'utf8'));
  }
  return out;
}

test('the generated contracts in packages/contracts/src/gen are what proto/ generates (npm run contracts:gen)', (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vcd-contracts-gen-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  const run = buf(['generate', '--output', tmp]);
  t.is(run.status, 0, `buf generate failed:\n${run.stdout}${run.stderr}`);
  const fresh = filesUnder(path.join(tmp, GEN));
  const checkedIn = filesUnder(path.join(root, GEN));
  t.true(fresh.size > 0, 'buf generated nothing');
  const stale = [...new Set([...fresh.keys(), ...checkedIn.keys()])]
    .sort()
    .filter((f) => fresh.get(f) !== checkedIn.get(f))
    .map((f) => `${GEN}/${f}: ${!checkedIn.has(f) ? 'missing' : !fresh.has(f) ? 'no longer generated' : 'differs'}`);
  t.deepEqual(stale, [], `the generated code is stale; run \`npm run contracts:gen\` and commit the result:\n${stale.join('\n')}`);
});

test('proto/ passes buf lint (buf.yaml)', (t) => {
  const run = buf(['lint']);
  t.is(run.status, 0, `buf lint:\n${run.stdout}${run.stderr}`);
});
