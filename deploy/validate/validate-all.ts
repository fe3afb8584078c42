/**
 * `task k8s:validate`: renders every kustomization and validates each manifest offline; exits non-zero and
 * lists the problems when any is invalid.
 */
import path from 'node:path';
import { kustomizations, renderKustomization, repoRoot, validateManifest } from './manifests.js';

let problems = 0;
for (const [name, dir] of Object.entries(kustomizations)) {
  const docs = await renderKustomization(dir);
  for (const doc of docs) {
    for (const problem of await validateManifest(doc)) {
      problems++;
      process.stderr.write(`${path.relative(repoRoot, dir)}: ${problem}\n`);
    }
  }
  process.stdout.write(`${name}: ${docs.length} manifests rendered and validated\n`);
}
if (problems) {
  process.stderr.write(`${problems} problem(s)\n`);
  process.exit(1);
}
