import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { parse } from 'yaml';
import { readManifest } from '../../scripts/runner/app-manifest.js';
import { writeComposeSecrets } from '../../deploy/secrets/generate-secrets.js';
import { kustomizations, loadDocuments, renderKustomization, repoRoot, yamlFilesUnder, type Manifest } from '../../deploy/validate/manifests.js';

/** The three places that list apps, ports and Dapr components: dapr.yaml (+ components/), docker-compose.yml, deploy/k8s. */
const run = promisify(execFile);
const manifest = readManifest(repoRoot);
const k8s = renderKustomization(kustomizations.base);
const composeWith = async (...overrides: string[]) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'vcd-consistency-'));
  try {
    await writeComposeSecrets(dir);
    const files = ['docker-compose.yml', ...overrides].flatMap((f) => ['-f', path.join(repoRoot, f)]);
    const { stdout } = await run('docker-compose', ['--env-file', path.join(dir, 'compose.env'), ...files, 'config'], { cwd: repoRoot });
    return parse(stdout) as { services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: ({ source: string; target: string } | string)[] }> };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
const compose = composeWith();
/** The compose stack with observability on (docker-compose.observability.yml, docs/observability.md). */
const composeObserved = composeWith('docker-compose.observability.yml');
/** Settings whose value differs per environment (where the collector is, which port metrics use): set everywhere. */
const PER_ENVIRONMENT = new Set(['OTEL_EXPORTER_OTLP_ENDPOINT', 'METRICS_PORT']);

const daprResources = async (dir: string) => (await Promise.all((await yamlFilesUnder(dir)).map(loadDocuments))).flat();
/** Development components: components/*.yaml, not the compose variants below it. */
const devResources = (async () => (await Promise.all((await yamlFilesUnder(path.join(repoRoot, 'components'))).filter((f) => path.dirname(f) === path.join(repoRoot, 'components')).map(loadDocuments))).flat())();
const composeResources = daprResources(path.join(repoRoot, 'components/compose/resources'));

const flag = (command: string[] | undefined, name: string) => {
  const i = command?.indexOf(name) ?? -1;
  return i >= 0 ? command![i + 1] : undefined;
};
const components = (docs: Manifest[]) =>
  Object.fromEntries(docs.filter((d) => d.kind === 'Component').map((d) => [d.metadata!.name!, d]));

test('compose, dapr.yaml and the Kubernetes manifests name the same apps with the same app ports', async (t) => {
  const { apps } = await manifest;
  const { services } = await compose;
  const deployments = (await k8s).filter((d) => d.kind === 'Deployment');
  const expected = apps.map((a) => `${a.appId}:${a.appPort}`).sort();
  const fromCompose = Object.values(services)
    .filter((s) => s.command?.[0] === './daprd')
    .map((s) => `${flag(s.command, '--app-id')}:${flag(s.command, '--app-port')}`)
    .sort();
  const fromK8s = deployments
    .filter((d) => d.spec.template.metadata.annotations?.['dapr.io/enabled'] === 'true')
    .map((d) => `${d.spec.template.metadata.annotations['dapr.io/app-id']}:${d.spec.template.metadata.annotations['dapr.io/app-port']}`)
    .sort();
  t.deepEqual(fromCompose, expected);
  t.deepEqual(fromK8s, expected);
  for (const app of apps) {
    t.is(services[app.appId]?.environment?.APP_PORT, String(app.appPort), `compose ${app.appId} APP_PORT`);
  }
});

test('compose sidecars use the Dapr ports of dapr.yaml, and each app is told them', async (t) => {
  const { services } = await compose;
  for (const app of (await manifest).apps) {
    const sidecar = services[`${app.appId}-dapr`]!;
    t.is(flag(sidecar.command, '--dapr-http-port'), String(app.daprHttpPort));
    t.is(flag(sidecar.command, '--dapr-grpc-port'), String(app.daprGrpcPort));
    t.is(services[app.appId]!.environment?.DAPR_HTTP_PORT, String(app.daprHttpPort));
    t.is(services[app.appId]!.environment?.DAPR_GRPC_PORT, String(app.daprGrpcPort));
  }
});

test("each app gets dapr.yaml's environment in compose and Kubernetes (NODE_ENV is production in containers)", async (t) => {
  const { services } = await composeObserved;
  const docs = await k8s;
  for (const app of (await manifest).apps) {
    const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata?.name === app.appId)!;
    const k8sEnv = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    for (const [name, value] of Object.entries(app.env)) {
      if (PER_ENVIRONMENT.has(name)) {
        t.truthy(services[app.appId]!.environment?.[name], `compose ${app.appId} ${name}`);
        t.truthy(k8sEnv[name], `k8s ${app.appId} ${name}`);
        continue;
      }
      const want = name === 'NODE_ENV' ? 'production' : value;
      t.is(services[app.appId]!.environment?.[name], want, `compose ${app.appId} ${name}`);
      t.is(k8sEnv[name], want, `k8s ${app.appId} ${name}`);
    }
  }
});

test('the same Dapr components (names, types, scopes) in development, compose and Kubernetes', async (t) => {
  const dev = components(await devResources);
  const variants = { compose: components(await composeResources), kubernetes: components(await k8s) };
  t.true(Object.keys(dev).length > 0);
  for (const [where, found] of Object.entries(variants)) {
    t.deepEqual(Object.keys(found).sort(), Object.keys(dev).sort(), `${where}: component names`);
    for (const [name, component] of Object.entries(dev)) {
      const other = found[name];
      if (!other) continue;
      const devType = component.spec.type as string;
      // The secret store is a local file outside the cluster and Kubernetes' own secrets inside it.
      const expectedType = where === 'kubernetes' && devType === 'secretstores.local.file' ? 'secretstores.kubernetes' : devType;
      t.is(other.spec.type, expectedType, `${where}: ${name} type`);
      t.deepEqual(other.scopes ?? [], component.scopes ?? [], `${where}: ${name} scopes`);
    }
  }
});

test('component settings match development except where they say how to reach a host', async (t) => {
  const hostKeys = new Set(['redisHost', 'redisPassword', 'host', 'port', 'user', 'password', 'secretsFile']);
  const dev = components(await devResources);
  const variants = { compose: components(await composeResources), kubernetes: components(await k8s) };
  for (const [where, found] of Object.entries(variants)) {
    for (const [name, component] of Object.entries(dev)) {
      if (component.spec.type.startsWith('secretstores.')) continue;
      const settings = (c: Manifest | undefined) =>
        Object.fromEntries(((c?.spec.metadata ?? []) as { name: string; value?: unknown }[]).filter((m) => !hostKeys.has(m.name)).map((m) => [m.name, m.value]));
      t.deepEqual(settings(found[name]), settings(component), `${where}: ${name} settings`);
    }
  }
});

test('the Resiliency policy is the same in development, compose (mounted) and Kubernetes (copied)', async (t) => {
  const devResiliency = (await devResources).find((d) => d.kind === 'Resiliency')!;
  const k8sResiliency = (await k8s).find((d) => d.kind === 'Resiliency')!;
  t.deepEqual(k8sResiliency.spec, devResiliency.spec);
  t.is(k8sResiliency.metadata?.name, devResiliency.metadata?.name);
  const { services } = await compose;
  for (const app of (await manifest).apps) {
    const mounts = (services[`${app.appId}-dapr`]!.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[0]! : v.source));
    t.true(mounts.includes(path.join(repoRoot, 'components/resiliency.yaml')), `${app.appId}-dapr mounts components/resiliency.yaml`);
  }
});

test('with the observability override, every app in compose and Kubernetes loads tracing first and serves metrics on a port of its own', async (t) => {
  const { services } = await composeObserved;
  const docs = await k8s;
  for (const app of (await manifest).apps) {
    t.deepEqual(app.command, ['node', '--import', 'tsx', '--import', '@vcd/telemetry/register', 'src/main.ts'], `dapr.yaml ${app.appId}`);
    // The image's own command loads it (test/deploy/image.test.ts); neither deployment replaces that command.
    t.is(services[app.appId]!.command, undefined, `compose ${app.appId}`);
    const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata?.name === app.appId)!;
    const pod = deployment.spec.template;
    t.is(pod.spec.containers[0].command, undefined, `k8s ${app.appId}`);
    t.is(pod.metadata.annotations['prometheus.io/scrape'], 'true', `k8s ${app.appId} scrape annotation`);
    const metricsPort = pod.spec.containers[0].ports.find((p: { name: string }) => p.name === 'metrics')?.containerPort;
    t.is(String(metricsPort), pod.metadata.annotations['prometheus.io/port'], `k8s ${app.appId} metrics port`);
    t.not(metricsPort, pod.spec.containers[0].ports.find((p: { name: string }) => p.name === 'http')?.containerPort);
  }
  t.truthy(services['otel-collector'] && services.prometheus, 'the override adds a trace backend and Prometheus');
});

test("compose sidecars trace like development's and resolve names through Docker's DNS (nameformat), not mDNS", async (t) => {
  const { services } = await compose;
  for (const app of (await manifest).apps) {
    // dapr.yaml names one Configuration per app (configFilePath); compose mounts its own variant of each.
    const [devConfig] = await loadDocuments(app.configFile);
    const [composeConfig] = await loadDocuments(path.join(repoRoot, 'components/compose/config', `${app.appId}.yaml`));
    t.truthy(devConfig!.spec.nameResolution, `${path.relative(repoRoot, app.configFile)} resolves names itself`);
    t.deepEqual(composeConfig!.spec.nameResolution, { component: 'nameformat', configuration: { format: '{appid}-netns:50100' } });
    // The same sampling and exporter protocol; only the collector's address differs (compose's own network name).
    const sansEndpoint = (tracing: unknown) => {
      const copy = structuredClone(tracing) as { otel?: { endpointAddress?: string } } | undefined;
      if (copy?.otel) delete copy.otel.endpointAddress;
      return copy;
    };
    t.deepEqual(sansEndpoint(composeConfig!.spec.tracing), sansEndpoint(devConfig!.spec.tracing), `${app.appId}: tracing`);
    t.regex(String((composeConfig!.spec.tracing as { otel?: { endpointAddress?: string } })?.otel?.endpointAddress), /^otel-collector:4318$/);
    t.is(flag(services[`${app.appId}-dapr`]!.command, '--config'), '/dapr/config.yaml');
    const mounts = (services[`${app.appId}-dapr`]!.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    t.true(mounts.some((m) => m.startsWith(path.join(repoRoot, 'components/compose/config', `${app.appId}.yaml`)) && m.includes(':/dapr/config.yaml')), `${app.appId}-dapr mounts its own Configuration`);
  }
});

test('daprd is built with every component and name resolver the environments use (tools/daprd/components.txt, ADR 24)', async (t) => {
  const built = new Set(
    (await readFile(path.join(repoRoot, 'tools/daprd/components.txt'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#')),
  );
  const used = new Map<string, string>();
  for (const [where, docs] of Object.entries({ development: await devResources, compose: await composeResources, kubernetes: await k8s })) {
    for (const d of docs) if (d.kind === 'Component') used.set((d.spec!.type as string).replaceAll('.', '_'), `${where}: ${d.metadata!.name}`);
  }
  const configs = [...(await yamlFilesUnder(path.join(repoRoot, 'dapr'))), ...(await yamlFilesUnder(path.join(repoRoot, 'components/compose/config')))];
  for (const file of configs) {
    for (const d of await loadDocuments(file)) {
      const resolver = (d.spec as { nameResolution?: { component?: string } } | undefined)?.nameResolution?.component;
      if (d.kind === 'Configuration' && resolver) used.set(`nameresolution_${resolver}`, path.relative(repoRoot, file));
    }
  }
  // daprd's defaults where a Configuration names no resolver: mDNS outside Kubernetes, Kubernetes DNS inside it.
  used.set('nameresolution_mdns', "daprd's default outside Kubernetes");
  used.set('nameresolution_kubernetes', "daprd's default in Kubernetes");
  t.true(used.has('pubsub_redis') && used.has('nameresolution_sqlite'), 'the scan found the components');
  for (const [component, where] of used) t.true(built.has(component), `${component} (${where}) is not in tools/daprd/components.txt`);
});
