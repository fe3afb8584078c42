import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { repoRoot } from '../../deploy/validate/manifests.js';

const read = (file: string) => readFile(path.join(repoRoot, file), 'utf8');

test('the README links the deploy guide', async (t) => {
  t.regex(await read('README.md'), /## Deploying[\s\S]*\]\(docs\/deploy\.md\)/);
});

test('every task the deploy guide and the README tell you to run exists in Taskfile.yml, next to the npm scripts it mirrors', async (t) => {
  const tasks = Object.keys((parse(await read('Taskfile.yml')) as { tasks: Record<string, unknown> }).tasks);
  const mentioned = new Set([...`${await read('docs/deploy.md')}\n${await read('README.md')}`.matchAll(/`task ([a-z][\w:-]*)/g)].map((m) => m[1]!));
  t.true(mentioned.size > 3);
  t.deepEqual([...mentioned].filter((name) => name !== '--list' && !tasks.includes(name)), []);
  for (const name of ['dev', 'test', 'lint', 'db:migrate', 'proto:gen', 'docker:build', 'k8s:render']) t.true(tasks.includes(name), name);
});
