import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { parse } from 'yaml';
import { PUBLISHER_OF } from '@vcd/contracts';
import { readManifest } from '../../scripts/runner/app-manifest.js';
import { REDIS_PUBSUB_USER, REDIS_RATELIMIT_USER } from '../../scripts/runner/redis-acl.js';
import { writeComposeSecrets } from '../../deploy/secrets/generate-secrets.js';
import { kustomizations, loadDocuments, renderKustomization, repoRoot, yamlFilesUnder, type Manifest } from '../../deploy/validate/manifests.js';

// Least privilege, the same in every environment: development and the test stack (dapr/<app>.yaml,
// components/*.yaml), docker-compose (components/compose/) and Kubernetes (deploy/k8s) carry the same access
// control, secret scopes, pub/sub scopes, sentry validation and Redis users. A drift in any one fails here.

const run = promisify(execFile);
const manifest = readManifest(repoRoot);
const appIds = manifest.then((m) => m.apps.map((a) => a.appId));
const k8s = renderKustomization(kustomizations.base);
const k8sLocal = renderKustomization(kustomizations.local);
const composeDir = mkdtemp(path.join(tmpdir(), 'vcd-least-privilege-'));
const compose = composeDir.then(async (dir) => {
  await writeComposeSecrets(dir);
  const { stdout } = await run('docker-compose', ['--env-file', path.join(dir, 'compose.env'), '-f', path.join(repoRoot, 'docker-compose.yml'), 'config'], { cwd: repoRoot });
  return parse(stdout) as { services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: ({ source: string; target: string } | string)[] }> };
});
test.after.always(async () => rm(await composeDir, { recursive: true, force: true }));

type Acl = { defaultAction: string; trustDomain: string; policies: { appId: string; defaultAction?: string; namespace: string; operations: { name: string; httpVerb: string[]; action: string }[] }[] };
type SecretScope = { storeName: string; defaultAccess: string; allowedSecrets: string[] };

/** Each app's Configuration in each environment. */
async function configurations(): Promise<Record<'development' | 'compose' | 'kubernetes', Record<string, Manifest>>> {
  const out = { development: {}, compose: {}, kubernetes: {} } as Record<'development' | 'compose' | 'kubernetes', Record<string, Manifest>>;
  for (const app of (await manifest).apps) {
    out.development[app.appId] = (await loadDocuments(app.configFile))[0]!;
    out.compose[app.appId] = (await loadDocuments(path.join(repoRoot, 'components/compose/config', `${app.appId}.yaml`)))[0]!;
    out.kubernetes[app.appId] = (await k8s).find((d) => d.kind === 'Configuration' && d.metadata?.name === `${app.appId}-config`)!;
  }
  return out;
}

const devComponents = async () =>
  (await Promise.all((await yamlFilesUnder(path.join(repoRoot, 'components'))).filter((f) => path.dirname(f) === path.join(repoRoot, 'components')).map(loadDocuments))).flat();
const composeComponents = async () => (await Promise.all((await yamlFilesUnder(path.join(repoRoot, 'components/compose/resources'))).map(loadDocuments))).flat();
const pubsubs = (docs: Manifest[]) => docs.filter((d) => d.kind === 'Component' && String(d.spec.type).startsWith('pubsub.'));
const meta = (c: Manifest, name: string) => (c.spec.metadata as { name: string; value?: string; secretKeyRef?: { name: string; key: string } }[]).find((m) => m.name === name);
const list = (v: string | undefined) => (v ?? '').replace(/\s+/g, '').split(',').filter(Boolean);
/** "a=t1,t2;b=" → { a: [t1, t2], b: [] } (Dapr's format, spaces ignored). */
const scopesOf = (v: string | undefined) =>
  Object.fromEntries((v ?? '').replace(/\s+/g, '').split(';').filter(Boolean).map((entry) => {
    const [app, topics = ''] = entry.split('=');
    return [app!, topics.split(',').filter(Boolean)];
  }));

test('access control is the same in development, compose and Kubernetes (namespace vcd there), and denies by default', async (t) => {
  const configs = await configurations();
  for (const app of await appIds) {
    const dev = configs.development[app]!.spec.accessControl as Acl;
    t.is(dev.defaultAction, 'deny', `${app} denies by default`);
    for (const p of dev.policies) {
      t.is(p.defaultAction ?? 'deny', 'deny', `${app}: ${p.appId} is denied what is not named`);
      for (const op of p.operations) t.false(['/**', '/*', '/'].includes(op.name), `${app}: nothing is open wholesale to ${p.appId}`);
    }
    t.deepEqual(configs.compose[app]!.spec.accessControl, dev, `compose ${app}`);
    const inCluster = structuredClone(dev);
    for (const p of inCluster.policies) p.namespace = 'vcd';
    t.deepEqual(configs.kubernetes[app]!.spec.accessControl, inCluster, `kubernetes ${app}`);
  }
  t.deepEqual((configs.development.gateway!.spec.accessControl as Acl).policies, [], 'nobody invokes the gateway through Dapr');
});

test('each app may read exactly the secrets its code reads, in every environment', async (t) => {
  const configs = await configurations();
  for (const app of (await manifest).apps) {
    const reads = await secretsReadBy(app.appDir);
    if (app.database) reads.add(`${app.appId}-database-url`);
    for (const [where, byApp] of Object.entries(configs)) {
      const scopes = byApp[app.appId]!.spec.secrets?.scopes as SecretScope[] | undefined;
      t.is(scopes?.length, 1, `${where} ${app.appId}: one scope, for the one store`);
      t.is(scopes?.[0]?.storeName, 'secretstore');
      t.is(scopes?.[0]?.defaultAccess, 'deny', `${where} ${app.appId}: deny by default`);
      t.deepEqual([...(scopes?.[0]?.allowedSecrets ?? [])].sort(), [...reads].sort(), `${where} ${app.appId}: allowed = read`);
    }
  }
});

test('pub/sub scopes: only the catalogue topics, each published only by its owner, the same in every environment', async (t) => {
  const catalogue = [...Object.keys(PUBLISHER_OF), 'deadletter'].sort();
  const environments = { development: pubsubs(await devComponents()), compose: pubsubs(await composeComponents()), kubernetes: pubsubs(await k8s) };
  const byName = (docs: Manifest[]) => Object.fromEntries(docs.map((d) => [d.metadata!.name!, d]));
  for (const [where, docs] of Object.entries(environments)) {
    const { pubsub, broadcast } = byName(docs);
    t.truthy(pubsub && broadcast, `${where}: both pub/sub components`);
    // pubsub: the owners publish; the consumers (and the dead letters of what they drop) subscribe.
    t.deepEqual(list(meta(pubsub!, 'allowedTopics')?.value).sort(), catalogue, `${where}: pubsub allows the catalogue only`);
    t.deepEqual(list(meta(pubsub!, 'protectedTopics')?.value).sort(), catalogue, `${where}: every topic is protected (no scope line, no access)`);
    const publishing = scopesOf(meta(pubsub!, 'publishingScopes')?.value);
    for (const [topic, owner] of Object.entries(PUBLISHER_OF)) {
      t.deepEqual(Object.keys(publishing).filter((app) => publishing[app]!.includes(topic)), [owner], `${where}: only ${owner} publishes ${topic}`);
    }
    t.deepEqual([...(pubsub!.scopes ?? [])].sort(), ['auth', 'blog', 'user'], `${where}: the gateway does not load pubsub`);
    // broadcast: nobody publishes (the owners publish on pubsub, the same streams), except dead letters.
    t.deepEqual(list(meta(broadcast!, 'allowedTopics')?.value).sort(), list(meta(broadcast!, 'protectedTopics')?.value).sort());
    for (const topics of Object.values(scopesOf(meta(broadcast!, 'publishingScopes')?.value))) t.deepEqual(topics, ['deadletter'], `${where}: broadcast publishes dead letters only`);
    for (const [app, topics] of Object.entries(scopesOf(meta(broadcast!, 'subscriptionScopes')?.value))) {
      for (const topic of topics) t.true(list(meta(broadcast!, 'allowedTopics')?.value).includes(topic), `${where}: ${app} subscribes to an allowed ${topic}`);
    }
  }
  // And the same strings everywhere.
  for (const name of ['pubsub', 'broadcast']) {
    const settings = (docs: Manifest[]) => {
      const c = byName(docs)[name]!;
      return { scopes: c.scopes, ...Object.fromEntries(['allowedTopics', 'protectedTopics', 'publishingScopes', 'subscriptionScopes'].map((k) => [k, meta(c, k)?.value])) };
    };
    t.deepEqual(settings(environments.compose), settings(environments.development), `compose ${name}`);
    t.deepEqual(settings(environments.kubernetes), settings(environments.development), `kubernetes ${name}`);
  }
});

test("every subscription in the services' code is inside its app's subscription scope (daprd would skip it silently)", async (t) => {
  const components = Object.fromEntries(pubsubs(await devComponents()).map((d) => [d.metadata!.name!, d]));
  for (const app of (await manifest).apps) {
    for (const { pubsub, topic } of await subscriptionsOf(app.appDir)) {
      const scoped = scopesOf(meta(components[pubsub]!, 'subscriptionScopes')?.value)[app.appId] ?? [];
      t.true(scoped.includes(topic), `${app.appId} subscribes to ${topic} on ${pubsub}`);
      t.true((components[pubsub]!.scopes ?? []).includes(app.appId), `${app.appId} loads ${pubsub}`);
    }
  }
});

test('sentry signs an app id only for its token outside Kubernetes: development and compose use the JWKS validator', async (t) => {
  const [devSentry] = await loadDocuments(path.join(repoRoot, 'dapr/sentry/config.yaml'));
  const [composeSentry] = await loadDocuments(path.join(repoRoot, 'components/compose/sentry.yaml'));
  for (const [where, c] of Object.entries({ development: devSentry!, compose: composeSentry! })) {
    t.true(c.spec.mtls.enabled, `${where}: mTLS`);
    t.deepEqual(c.spec.mtls.tokenValidators.map((v: { name: string }) => v.name), ['jwks'], `${where}: JWKS only (the insecure default is off)`);
  }
  const { services } = await compose;
  for (const app of await appIds) {
    const daprd = services[`${app}-dapr`]!;
    t.is(daprd.command?.[daprd.command.indexOf('--sentry-address') + 1], 'sentry:50001', `${app}-dapr gets its identity from sentry`);
    t.true(daprd.command?.includes('--enable-mtls'), `${app}-dapr: mTLS`);
    const tokens = (daprd.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`)).filter((v) => v.includes('sentry-tokens'));
    t.deepEqual(tokens.map((v) => path.basename(v.split(':')[0]!)), [`${app}.jwt`], `${app}-dapr is given its own token, no other`);
    t.truthy(daprd.environment?.DAPR_TRUST_ANCHORS?.includes('BEGIN CERTIFICATE'));
  }
  const daprsystem = (await loadDocuments(path.join(repoRoot, 'deploy/k8s/dapr-system/daprsystem.yaml')))[0]!;
  t.true(daprsystem.spec.mtls.enabled, 'Kubernetes: mTLS (sentry validates service account tokens there)');
});

test('Redis wants a password everywhere: daprd connects as "pubsub", the apps as "ratelimit", the server has users only', async (t) => {
  for (const [where, docs] of Object.entries({ development: await devComponents(), compose: await composeComponents(), kubernetes: await k8s })) {
    for (const c of docs.filter((d) => d.kind === 'Component' && String(d.spec.type).endsWith('.redis'))) {
      t.is(meta(c, 'redisUsername')?.value, REDIS_PUBSUB_USER, `${where} ${c.metadata!.name}: user`);
      t.truthy(meta(c, 'redisPassword')?.secretKeyRef?.name, `${where} ${c.metadata!.name}: password from a secret`);
      if (where !== 'kubernetes') t.is((c.auth as { secretStore?: string } | undefined)?.secretStore, 'secretstore', `${where} ${c.metadata!.name}: resolved from the secret store`);
    }
  }
  const { services } = await compose;
  t.is(services.redis!.command?.[services.redis!.command.indexOf('--aclfile') + 1], '/etc/redis/users.acl', 'compose Redis: ACL users');
  const acl = await readFile(path.join(await composeDir, 'redis-users.acl'), 'utf8');
  t.regex(acl, /^user default on #[0-9a-f]{64} /m, 'the default user has a password (hashed)');
  t.notRegex(acl, /nopass/);
  const redis = (await k8sLocal).find((d) => d.kind === 'Deployment' && d.metadata?.name === 'redis')!;
  const args = redis.spec.template.spec.containers[0].args as string[];
  t.is(args[args.indexOf('--aclfile') + 1], '/etc/redis/users.acl', 'local cluster Redis: ACL users');
  const store = JSON.parse(await readFile(path.join(await composeDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  t.is(new URL(store['redis-url']!).username, REDIS_RATELIMIT_USER, "the apps' Redis URL names the rate-limit user");
  t.truthy(new URL(store['redis-url']!).password);
});

/** Secret names passed as string literals to getSecret(...) in a service's sources. */
async function secretsReadBy(appDir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of await sourcesUnder(path.join(appDir, 'src'))) {
    for (const m of (await readFile(file, 'utf8')).matchAll(/getSecret\(\s*['"`]([\w.-]+)['"`]/g)) names.add(m[1]!);
  }
  return names;
}

/** The topics a service subscribes to, and on which component ("broadcast" when its router says so). */
async function subscriptionsOf(appDir: string): Promise<{ pubsub: string; topic: string }[]> {
  const sources = await Promise.all((await sourcesUnder(path.join(appDir, 'src'))).map((f) => readFile(f, 'utf8')));
  const all = sources.join('\n');
  if (!all.includes('subscriptionRouter(')) return [];
  const pubsub = /subscriptionRouter\(\{\s*pubsub:\s*'(\w+)'/.exec(all)?.[1] ?? 'pubsub';
  const topics = new Set<string>();
  for (const text of sources) {
    for (const m of text.matchAll(/topic: '([\w.]+)'/g)) topics.add(m[1]!);
    for (const m of text.matchAll(/consume\(deps, '([\w.]+)'/g)) topics.add(m[1]!);
  }
  return [...topics].map((topic) => ({ pubsub, topic }));
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
