import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { stringify } from 'yaml';
import { repoRoot } from '../../deploy/validate/manifests.js';

const run = promisify(execFile);
const dir = path.join(repoRoot, 'observability', 'prometheus');
const promtool = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

test('the alert and recording rules parse (promtool check rules) and their unit tests pass (promtool test rules)', async (t) => {
  const checked = await run(promtool, ['check', 'rules', path.join(dir, 'rules.yml')]);
  t.regex(checked.stdout, /SUCCESS: \d+ rules found/);
  const tested = await run(promtool, ['test', 'rules', 'rules.test.yml'], { cwd: dir });
  t.regex(tested.stdout, /SUCCESS/);
});

test("every expression of the dashboard (Prometheus console) parses, and names only series that exist", async (t) => {
  const html = await readFile(path.join(dir, 'consoles', 'vcd.html'), 'utf8');
  // `query "expr"` and `printf "expr with %s" … | query`: the second with its placeholder filled in.
  const expressions = [...html.matchAll(/(?:query|printf) "((?:[^"\\]|\\.)*)"/g)]
    .map((m) => m[1]!)
    .filter((e) => !/^%[.\d]*[a-z]$/.test(e)) // number formats, not expressions
    .map((e) => e.replace(/%s/g, 'x'));
  t.true(expressions.length >= 15, `${expressions.length} expressions found`);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'vcd-console-'));
  const file = path.join(scratch, 'console-rules.yml');
  await writeFile(file, stringify({ groups: [{ name: 'console', rules: expressions.map((expr, i) => ({ record: `console:expr_${i}`, expr })) }] }));
  const checked = await run(promtool, ['check', 'rules', file]).catch((err: { stdout?: string; stderr?: string }) => {
    throw new Error(`promtool refused an expression of consoles/vcd.html:\n${err.stdout}\n${err.stderr}`);
  });
  t.regex(checked.stdout, /SUCCESS/);
  // Recorded series the console reads are defined in rules.yml.
  const rules = await readFile(path.join(dir, 'rules.yml'), 'utf8');
  for (const name of new Set(expressions.flatMap((e) => e.match(/vcd:[a-z0-9_:]+/g) ?? []))) t.true(rules.includes(`record: ${name}`), `${name} is recorded`);
});
