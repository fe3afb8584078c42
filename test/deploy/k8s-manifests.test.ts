import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { readManifest } from '../../scripts/runner/app-manifest.js';
import { generateDeploySecrets, kubernetesSecrets } from '../../deploy/secrets/deploy-secrets.js';
import {
  kustomizations,
  loadDocuments,
  renderKustomization,
  repoRoot,
  validateManifest,
  yamlFilesUnder,
  type Manifest,
} from '../../deploy/validate/manifests.js';

const rendered = {
  base: renderKustomization(kustomizations.base),
  local: renderKustomization(kustomizations.local),
  hostCluster: renderKustomization(kustomizations.hostCluster),
  daprSystem: renderKustomization(kustomizations.daprSystem),
};
const apps = readManifest(repoRoot).then((m) => m.apps);
const find = (docs: Manifest[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name);
const problemsOf = async (docs: Manifest[]) => (await Promise.all(docs.map(validateManifest))).flat();

for (const [name, docs] of Object.entries(rendered)) {
  test(`the ${name} kustomization renders and every manifest in it validates offline`, async (t) => {
    const manifests = await docs;
    t.true(manifests.length > 0);
    t.deepEqual(await problemsOf(manifests), []);
  });
}

test('every manifest file under deploy/k8s is part of a rendered kustomization', async (t) => {
  const all = [...(await rendered.base), ...(await rendered.local), ...(await rendered.hostCluster), ...(await rendered.daprSystem)];
  const renderedIds = new Set(all.map((d) => `${d.kind}/${d.metadata?.name}`));
  const files = (await yamlFilesUnder(path.join(repoRoot, 'deploy/k8s'))).filter((f) => path.basename(f) !== 'kustomization.yaml');
  for (const file of files) {
    for (const doc of await loadDocuments(file)) {
      t.true(renderedIds.has(`${doc.kind}/${doc.metadata?.name}`), `${path.relative(repoRoot, file)}: ${doc.kind}/${doc.metadata?.name} is in no kustomization`);
    }
  }
});

test('a core manifest with a field of the wrong type is rejected, naming the field', async (t) => {
  const problems = await validateManifest({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'broken' },
    spec: { selector: {}, template: { spec: { containers: [{ name: 'a', image: 'b', ports: [{ containerPort: 'http' }] }] } } },
  });
  t.is(problems.length, 1);
  t.regex(problems[0]!, /Deployment\/broken: .*containerPort must be integer/);
});

test('Dapr resources are checked against our schemas: a misspelt field, a metadata item with two sources, a bad rate', async (t) => {
  const component = (spec: object) => ({ apiVersion: 'dapr.io/v1alpha1', kind: 'Component', metadata: { name: 'pubsub' }, spec });
  t.deepEqual(await validateManifest(component({ type: 'pubsub.redis', version: 'v1', metadata: [{ name: 'redisHost', value: 'r:6379' }] })), []);
  t.regex((await validateManifest(component({ type: 'pubsub.redis', version: 'v1', metdata: [] }))).join('\n'), /metdata/);
  t.regex(
    (await validateManifest(component({ type: 'pubsub.redis', version: 'v1', metadata: [{ name: 'redisHost', value: 'x', secretKeyRef: { name: 'r', key: 'h' } }] }))).join('\n'),
    /metadata\/0 must match exactly one schema/,
  );
  t.regex((await validateManifest(component({ type: 'pubsub.redis', version: '1', metadata: [] }))).join('\n'), /\/spec\/version must match pattern/);
  const config = { apiVersion: 'dapr.io/v1alpha1', kind: 'Configuration', metadata: { name: 'c' }, spec: { tracing: { samplingRate: '2' } } };
  t.regex((await validateManifest(config)).join('\n'), /samplingRate must match pattern/);
});

test('a kind without a schema is rejected rather than passed', async (t) => {
  t.regex((await validateManifest({ apiVersion: 'dapr.io/v1alpha1', kind: 'HTTPEndpoint', metadata: { name: 'x' } })).join(), /no schema for dapr.io\/v1alpha1 HTTPEndpoint/);
  t.regex((await validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } })).join(), /not a Kubernetes kind/);
});

test('each service runs as a Deployment with its Dapr sidecar annotations, probes, resources and a non-root user', async (t) => {
  const docs = await rendered.base;
  for (const app of await apps) {
    const deployment = find(docs, 'Deployment', app.appId);
    if (!t.truthy(deployment, `no Deployment for ${app.appId}`)) continue;
    const pod = deployment!.spec.template;
    t.like(pod.metadata.annotations, {
      'dapr.io/enabled': 'true',
      'dapr.io/app-id': app.appId,
      'dapr.io/app-port': String(app.appPort),
      'dapr.io/app-protocol': 'http',
      'dapr.io/config': `${app.appId}-config`,
    });
    t.truthy(find(docs, 'Configuration', pod.metadata.annotations['dapr.io/config']), `${app.appId}: its Dapr Configuration exists`);
    const container = pod.spec.containers[0];
    t.is(container.livenessProbe.httpGet.path, '/healthz');
    t.is(container.readinessProbe.httpGet.path, '/readyz');
    t.truthy(container.resources.requests.cpu && container.resources.requests.memory && container.resources.limits.memory);
    t.true(pod.spec.securityContext.runAsNonRoot);
    t.false(container.securityContext.allowPrivilegeEscalation);
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    t.is(env.APP_PORT, String(app.appPort));
    t.is(env.APP_HOST, '0.0.0.0', 'the kubelet probes the pod IP');
  }
});

test('only the gateway is exposed: one Service and one Ingress, both for the gateway', async (t) => {
  const docs = await rendered.base;
  t.deepEqual(docs.filter((d) => d.kind === 'Service').map((d) => d.metadata?.name), ['gateway']);
  const ingresses = docs.filter((d) => d.kind === 'Ingress');
  t.is(ingresses.length, 1);
  t.is(ingresses[0]!.spec.rules[0].http.paths[0].backend.service.name, 'gateway');
});

test('each database-owning service has a migration Job without a sidecar that reads DATABASE_URL from its Secret', async (t) => {
  const docs = await rendered.base;
  for (const app of (await apps).filter((a) => a.database)) {
    const job = find(docs, 'Job', `${app.appId}-migrate`);
    if (!t.truthy(job, `no migration Job for ${app.appId}`)) continue;
    t.is(job!.spec.template.metadata.annotations['dapr.io/enabled'], 'false');
    const container = job!.spec.template.spec.containers[0];
    t.deepEqual(container.command, ['node', 'src/db/migrate.js']);
    t.deepEqual(container.env.find((e: { name: string }) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef, {
      name: `${app.appId}-database-url`,
      key: `${app.appId}-database-url`,
    });
  }
  t.is(docs.filter((d) => d.kind === 'Job').length, (await apps).filter((a) => a.database).length);
});

test('no Secret is committed, and every Secret the manifests reference is one the secrets generator produces', async (t) => {
  for (const docs of Object.values(rendered)) t.false((await docs).some((d) => d.kind === 'Secret'));
  const generated = kubernetesSecrets(
    generateDeploySecrets(await apps, { postgresHost: 'postgres', redisHost: 'redis:6379', smtpHost: 'maildev', smtpPort: 1025 }),
    'vcd',
    { postgresHost: 'postgres', redisHost: 'redis:6379', smtpHost: 'maildev', smtpPort: 1025 },
  );
  const available = new Set(generated.flatMap((s) => Object.keys(s.stringData).map((key) => `${s.metadata.name}/${key}`)));
  const references: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const ref = o.secretKeyRef as { name?: string; key?: string } | undefined;
    if (ref?.name && ref.key) references.push(`${ref.name}/${ref.key}`);
    if (typeof o.secretName === 'string' && Array.isArray(o.items)) for (const item of o.items as { key: string }[]) references.push(`${o.secretName}/${item.key}`);
    Object.values(o).forEach(walk);
  };
  walk(await rendered.local);
  for (const docs of await rendered.local) {
    for (const [k, v] of Object.entries(docs.spec?.template?.metadata?.annotations ?? {})) {
      if (k === 'dapr.io/app-token-secret' || k === 'dapr.io/api-token-secret') references.push(`${String(v)}/token`);
    }
  }
  t.true(references.length > 10);
  t.deepEqual(references.filter((r) => !available.has(r)), []);
});

const protoServices = async () => {
  const services: { owner: string; fullName: string; rpcs: string[] }[] = [];
  for (const owner of await readdir(path.join(repoRoot, 'proto'))) {
    for (const file of await yamlFreeProtoFiles(path.join(repoRoot, 'proto', owner))) {
      const text = await readFile(file, 'utf8');
      const pkg = /^package\s+([\w.]+);/m.exec(text)?.[1];
      for (const m of text.matchAll(/^service\s+(\w+)\s*\{([^}]*)\}/gm)) {
        const rpcs = [...m[2]!.matchAll(/rpc\s+(\w+)/g)].map((r) => r[1]!);
        services.push({ owner, fullName: `${pkg}.${m[1]}`, rpcs });
      }
    }
  }
  return services;
};
async function yamlFreeProtoFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFreeProtoFiles(full)));
    else if (e.name.endsWith('.proto')) out.push(full);
  }
  return out;
}

test('access control: only the gateway may call public /api routes; each gRPC method is open to some caller, by name', async (t) => {
  const docs = await rendered.base;
  const namespace = find(docs, 'Namespace', 'vcd') ? 'vcd' : undefined;
  const appIds = (await apps).map((a) => a.appId);
  const grpc = await protoServices();
  t.true(grpc.length > 0);
  for (const appId of appIds) {
    const acl = find(docs, 'Configuration', `${appId}-config`)!.spec.accessControl;
    t.is(acl.defaultAction, 'deny', `${appId}: deny by default`);
    for (const policy of acl.policies) {
      t.is(policy.namespace, namespace, `${appId}: policy for ${policy.appId} names the namespace the manifests deploy to`);
      t.is(policy.defaultAction, 'deny');
      const allowed = policy.operations.filter((o: { action: string }) => o.action === 'allow').map((o: { name: string }) => o.name);
      t.is(allowed.includes('/api/**'), policy.appId === 'gateway', `${appId}: /api/** open to ${policy.appId}?`);
      t.false(allowed.includes('/**'), `${appId}: nothing is open wholesale to ${policy.appId}`);
    }
    // Exactly which internal routes each caller may use is pinned by test/deploy/least-privilege.test.ts
    // (equal to development's dapr/<app>.yaml); here: every gRPC method is reachable by someone, named, never
    // a whole service by wildcard.
    for (const s of grpc.filter((g) => g.owner === appId)) {
      const names = acl.policies.flatMap((p: { operations: { name: string; action: string }[] }) => p.operations.filter((o) => o.action === 'allow').map((o) => o.name));
      t.false(names.includes(`/${s.fullName}/*`), `${appId}: ${s.fullName} is not opened wholesale`);
      for (const rpc of s.rpcs) t.true(names.includes(`/${s.fullName}/${rpc}`), `${appId}: ${s.fullName}/${rpc} open to a caller`);
    }
    if (appId === 'gateway') t.deepEqual(acl.policies, [], 'nobody invokes the gateway through Dapr');
  }
});

test('mTLS is on in the control-plane Configuration', async (t) => {
  const daprsystem = find(await rendered.daprSystem, 'Configuration', 'daprsystem');
  t.is(daprsystem?.metadata?.namespace, 'dapr-system');
  t.true(daprsystem?.spec.mtls.enabled);
});

test('each app may read exactly the secrets its Configuration allows, RBAC agrees, and they cover what its code reads', async (t) => {
  const docs = await rendered.base;
  for (const app of await apps) {
    const scope = find(docs, 'Configuration', `${app.appId}-config`)!.spec.secrets.scopes.find((s: { storeName: string }) => s.storeName === 'secretstore');
    t.is(scope.defaultAccess, 'deny');
    const allowed = [...scope.allowedSecrets].sort();
    const role = find(docs, 'Role', `${app.appId}-secret-reader`)!;
    t.deepEqual([...(role as { rules: { resourceNames: string[] }[] }).rules[0]!.resourceNames].sort(), allowed, `${app.appId}: RBAC = secret scopes`);
    const read = await secretsReadBy(app.appDir);
    if (app.database) read.add(`${app.appId}-database-url`);
    t.deepEqual([...read].filter((s) => !allowed.includes(s)), [], `${app.appId} reads secrets its scope denies`);
  }
});

/** Secret names passed as string literals to getSecret(...) in a service's sources. */
async function secretsReadBy(appDir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of await sourcesUnder(path.join(appDir, 'src'))) {
    for (const m of (await readFile(file, 'utf8')).matchAll(/getSecret\(\s*['"`]([\w.-]+)['"`]/g)) names.add(m[1]!);
  }
  return names;
}
async function sourcesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourcesUnder(full)));
    else if (e.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

test('Resiliency targets only name policies it defines', async (t) => {
  const resiliency = find(await rendered.base, 'Resiliency', 'resiliency')!.spec;
  const defined = {
    timeout: Object.keys(resiliency.policies.timeouts ?? {}),
    retry: Object.keys(resiliency.policies.retries ?? {}),
    circuitBreaker: Object.keys(resiliency.policies.circuitBreakers ?? {}),
  };
  const targets = [
    ...Object.values(resiliency.targets.apps ?? {}),
    ...Object.values(resiliency.targets.components ?? {}).flatMap((c) => Object.values(c as object)),
  ] as Record<keyof typeof defined, string | undefined>[];
  t.true(targets.length > 0);
  for (const target of targets) {
    for (const kind of Object.keys(defined) as (keyof typeof defined)[]) {
      if (target[kind]) t.true(defined[kind].includes(target[kind]!), `${kind} ${target[kind]} is not defined`);
    }
  }
});

test('the local overlay runs one replica of each service from locally built images, with its own Postgres, Redis and MailDev', async (t) => {
  const docs = await rendered.local;
  for (const app of await apps) {
    const deployment = find(docs, 'Deployment', app.appId)!;
    t.is(deployment.spec.replicas, 1);
    t.is(deployment.spec.template.spec.containers[0].image, `vcd-simple-blog/${app.appId}:dev`);
    t.is(deployment.spec.template.spec.containers[0].imagePullPolicy, 'Never');
  }
  for (const name of ['postgres', 'redis', 'maildev']) t.truthy(find(docs, 'Service', name), `Service ${name}`);
  t.true(docs.every((d) => d.kind === 'Namespace' || d.metadata?.namespace === 'vcd'));
});

test('the host-cluster overlay (npm run k8s:up) adds what a node without provisioner, registry or Ingress controller needs, and nothing else', async (t) => {
  const docs = await rendered.hostCluster;
  const local = await rendered.local;
  // The same objects as the local overlay, plus the Postgres volume.
  const ids = (d: Manifest[]) => d.map((x) => `${x.kind}/${x.metadata?.name}`).sort();
  t.deepEqual(ids(docs), [...ids(local), 'PersistentVolume/vcd-postgres-data'].sort());
  // The volume is bound to the claim of the Postgres StatefulSet, under the cluster's state directory (scripts/k8s/lib.sh).
  const pv = find(docs, 'PersistentVolume', 'vcd-postgres-data')!;
  const sts = find(docs, 'StatefulSet', 'postgres')!;
  const claim = sts.spec.volumeClaimTemplates[0];
  t.deepEqual(pv.spec.claimRef, { namespace: 'vcd', name: `${claim.metadata.name}-postgres-0` });
  t.is(pv.spec.storageClassName, '');
  t.true(pv.spec.capacity.storage === claim.spec.resources.requests.storage);
  const lib = await readFile(path.join(repoRoot, 'scripts/k8s/lib.sh'), 'utf8');
  const stateDir = /STATE="\$\{K8S_STATE_DIR:-([^}]+)\}"/.exec(lib)?.[1];
  t.truthy(stateDir);
  t.true((pv.spec.hostPath.path as string).startsWith(`${stateDir}/pv/`), `${pv.spec.hostPath.path} is under ${stateDir}/pv (k8s:down removes it)`);
  // Nothing is pulled: every container of every pod template comes from the node's store.
  for (const d of docs) {
    const podSpec = d.kind === 'Job' || d.kind === 'Deployment' || d.kind === 'StatefulSet' ? d.spec.template.spec : undefined;
    for (const c of podSpec?.containers ?? []) t.is(c.imagePullPolicy, 'Never', `${d.kind}/${d.metadata?.name}: ${c.name}`);
  }
  // The gateway trusts X-Forwarded-For from the pod network's addresses only (the cluster's pod CIDR, lib.sh).
  const env = find(docs, 'Deployment', 'gateway')!.spec.template.spec.containers[0].env as { name: string; value?: string }[];
  const podCidr = /POD_CIDR="([^"]+)"/.exec(lib)?.[1] ?? '';
  const trusted = env.find((e) => e.name === 'TRUSTED_PROXIES')?.value ?? '';
  t.true(trusted.startsWith(podCidr.split('.').slice(0, 2).join('.') + '.'), `TRUSTED_PROXIES ${trusted} covers the pod network ${podCidr}`);
});

test('a terminating service pod keeps answering until callers have stopped reaching it, through a working sidecar (what the real cluster taught)', async (t) => {
  const docs = await rendered.base;
  for (const app of await apps) {
    const deployment = find(docs, 'Deployment', app.appId)!;
    const pod = deployment.spec.template;
    const a = pod.metadata.annotations as Record<string, string>;
    const container = pod.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    const preStop = container.lifecycle?.preStop?.sleep?.seconds as number;
    const drain = Number(env.SHUTDOWN_GRACE_MS) / 1000;
    const hold = Number.parseInt(a['dapr.io/block-shutdown-duration'] ?? '0', 10);
    const sidecarDrain = Number(a['dapr.io/graceful-shutdown-seconds']);
    const unhealthyAfter = Number(a['dapr.io/app-health-threshold'] ?? 3) * Number(a['dapr.io/app-health-probe-interval'] ?? 5);
    // Clients reach the gateway through its Service's endpoints; sidecars reach the others through the cluster DNS
    // (CoreDNS caches 30 s): the pod answers fully for at least that long after termination starts.
    t.true(Math.min(preStop, hold) >= 30, `${app.appId}: preStop ${preStop} s, sidecar hold ${hold} s`);
    if (app.appId === 'gateway') {
      // Clients call the app; the app calls out through its sidecar: the sidecar outlives the app's drain.
      t.true(unhealthyAfter > drain, `${app.appId}: the sidecar notices the app gone after ${unhealthyAfter} s, the app drains ${drain} s`);
      t.true(hold >= preStop + unhealthyAfter, `${app.appId}: block-shutdown-duration ${hold} s`);
    } else {
      // Calls come in through the sidecar, which keeps pooled connections: it holds past the DNS and gRPC resolver
      // caches (30 s each), stops taking calls and drains while the app still answers.
      t.true(hold >= 60, `${app.appId}: the sidecar holds ${hold} s`);
      t.true(preStop >= hold + Math.min(sidecarDrain, drain), `${app.appId}: the app (preStop ${preStop} s) outlives the sidecar's hold (${hold} s) and drain`);
    }
    const grace = pod.spec.terminationGracePeriodSeconds as number;
    t.true(grace >= preStop + drain && grace >= hold + sidecarDrain, `${app.appId}: terminationGracePeriodSeconds ${grace}`);
    t.is(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0, `${app.appId}: the old pod stays until the new one is ready`);
  }
});
