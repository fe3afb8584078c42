import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Acl {
  defaultAction: string;
  trustDomain: string;
  policies: { appId: string; namespace?: string; operations?: unknown[] }[];
}

test('Kubernetes access control is exactly the development access control, in the vcd namespace', async (t) => {
  const k8s = parseAllDocuments(await readFile(path.join(root, 'deploy/k8s/base/dapr/configurations.yaml'), 'utf8')).map(
    (d) => d.toJS() as { metadata: { name: string }; spec: { accessControl: Acl } },
  );
  t.deepEqual(k8s.map((c) => c.metadata.name).sort(), ['auth-config', 'blog-config', 'gateway-config', 'user-config']);
  for (const config of k8s) {
    const app = config.metadata.name.replace(/-config$/, '');
    const dev = parse(await readFile(path.join(root, 'dapr', `${app}.yaml`), 'utf8')) as { spec: { accessControl: Acl } };
    const expected = structuredClone(dev.spec.accessControl);
    for (const p of expected.policies) p.namespace = 'vcd';
    t.deepEqual(config.spec.accessControl, expected, app);
    t.is(config.spec.accessControl.defaultAction, 'deny', `${app} denies by default`);
  }
});
