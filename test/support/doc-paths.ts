import path from 'node:path';

/** The repository root. */
export const repoRoot = path.resolve(import.meta.dirname, '../..');
const TOP = ['services', 'packages', 'scripts', 'docs', 'deploy', 'test', 'proto', 'components', 'dapr', 'docker', '.ci', 'observability'];

/** Repository paths a document names, each resolved from the repository root. */
export function namedPaths(doc: string, text: string): string[] {
  const found = new Set<string>();
  for (const [, code] of text.matchAll(/`([^`\n]+)`/g)) {
    for (const word of code!.split(/\s+/)) {
      const candidate = word.replace(/^[("']+|[)"',.:;]+$/g, '').replace(/:\d+(-\d+)?$/, '');
      const first = candidate.replace(/^\.\//, '').split('/')[0]!;
      if (!TOP.includes(first) || !candidate.includes('/')) continue;
      if (/[<>*{}$]|\.\.\./.test(candidate)) continue;
      found.add(candidate.replace(/^\.\//, ''));
    }
  }
  for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
    if (/^[a-z]+:/i.test(target!) || target!.startsWith('/')) continue; // URLs, absolute
    const resolved = path.relative(repoRoot, path.resolve(repoRoot, path.dirname(doc), target!));
    if (resolved.startsWith('..')) continue; // outside the repository (../shared)
    found.add(resolved);
  }
  return [...found];
}

