/**
 * The docs name files a newcomer will open: every repository path named in the README, docs/ and the ADRs must
 * exist. A path is a backticked name under one of the repository's top-level folders, or a relative Markdown link.
 * Names with placeholders (`<service>`, `*`, `{a,b}`) are patterns, not paths, and are skipped.
 */
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { namedPaths, repoRoot as root } from '../support/doc-paths.js';

const docs = [
  'README.md',
  ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
  ...readdirSync(path.join(root, 'docs/adr')).filter((f) => f.endsWith('.md')).map((f) => `docs/adr/${f}`),
];

for (const doc of docs) {
  test(`every path ${doc} names exists`, (t) => {
    const missing = namedPaths(doc, readFileSync(path.join(root, doc), 'utf8')).filter((p) => !existsSync(path.join(root, p)));
    t.deepEqual(missing, [], `${doc} names paths that do not exist`);
  });
}

test('the path finder sees backticked paths and relative links, and skips patterns and outside links', (t) => {
  const text = 'See `services/blog/src/app.ts:12`, `services/<name>/src`, `npm run lint`, [ADR](adr/0001-x.md), [brief](../../shared/BRIEF.md), [site](https://example.com/a).';
  t.deepEqual(namedPaths('docs/x.md', text).sort(), ['docs/adr/0001-x.md', 'services/blog/src/app.ts']);
});
