import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { parse } from 'yaml';
import { readManifest } from '../../scripts/runner/app-manifest.js';
import { writeComposeSecrets } from '../../deploy/secrets/generate-secrets.js';
import { repoRoot } from '../../deploy/validate/manifests.js';
import { imageNames } from '../../scripts/images/names.js';

const run = promisify(execFile);
/** The defaults: no VCD_* variable set. */
const names = imageNames(repoRoot, {});

interface ComposeService {
  image?: string;
  build?: { args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  network_mode?: string;
  ports?: (string | { published: number | string; target: number; host_ip?: string })[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: unknown[];
}

/** `docker-compose config` (Debian's docker-compose 1.29 needs no engine for it), with the given env file. */
async function composeConfig(envFile?: string): Promise<{ services: Record<string, ComposeService> }> {
  const args = [...(envFile ? ['--env-file', envFile] : []), '--project-directory', repoRoot, '-f', path.join(repoRoot, 'docker-compose.yml'), 'config'];
  try {
    const { stdout } = await run('docker-compose', args, { cwd: repoRoot, env: { PATH: process.env.PATH ?? '' } });
    return parse(stdout) as { services: Record<string, ComposeService> };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('docker-compose is not installed: scripts/bootstrap.sh installs it (apt-get install docker-compose)', { cause: err });
    throw new Error(`docker-compose config failed: ${e.stderr || e.message}`, { cause: err });
  }
}

const secretsDir = mkdtemp(path.join(tmpdir(), 'vcd-compose-'));
const rendered = secretsDir.then(async (dir) => {
  await writeComposeSecrets(dir);
  return composeConfig(path.join(dir, 'compose.env'));
});
test.after.always(async () => rm(await secretsDir, { recursive: true, force: true }));

const flag = (command: string[] | undefined, name: string) => {
  const i = command?.indexOf(name) ?? -1;
  return i >= 0 ? command![i + 1] : undefined;
};

test('docker-compose config accepts the compose file once the secrets are generated', async (t) => {
  const config = await rendered;
  const apps = (await readManifest(repoRoot)).apps;
  for (const app of apps) {
    t.truthy(config.services[app.appId], `service ${app.appId}`);
    t.truthy(config.services[`${app.appId}-dapr`], `sidecar ${app.appId}-dapr`);
  }
  for (const infra of ['postgres', 'redis', 'maildev']) t.truthy(config.services[infra], infra);
});

test('without the generated secrets docker-compose config refuses, saying how to create them', async (t) => {
  const empty = path.join(await secretsDir, 'empty.env');
  await writeFile(empty, '');
  const error = await t.throwsAsync(composeConfig(empty));
  t.regex(error!.message, /task compose:secrets/);
});

test('each service has a daprd 1.18.3 sidecar in its network namespace, Dapr API on loopback, tokens both ways', async (t) => {
  const { services } = await rendered;
  for (const app of (await readManifest(repoRoot)).apps) {
    const sidecar = services[`${app.appId}-dapr`]!;
    const svc = services[app.appId]!;
    t.is(sidecar.image, names.daprd, 'our patched daprd, tagged with its patch set');
    t.is(sidecar.network_mode, `service:${app.appId}-netns`);
    t.is(svc.network_mode, `service:${app.appId}-netns`, 'app and sidecar share the holder namespace');
    t.is(flag(sidecar.command, '--dapr-internal-grpc-port'), '50100', 'the port the nameformat resolver names');
    t.is(flag(sidecar.command, '--app-id'), app.appId);
    t.is(flag(sidecar.command, '--dapr-listen-addresses'), '127.0.0.1');
    t.is(flag(sidecar.command, '--app-protocol'), 'http');
    t.is(sidecar.environment?.APP_API_TOKEN, svc.environment?.APP_API_TOKEN);
    t.is(sidecar.environment?.DAPR_API_TOKEN, svc.environment?.DAPR_API_TOKEN);
    t.true((svc.environment?.APP_API_TOKEN ?? '').length >= 16);
    t.not(svc.environment?.APP_API_TOKEN, svc.environment?.DAPR_API_TOKEN);
  }
});

test("only the gateway (through its pod's holder) and the MailDev web UI are published to the host", async (t) => {
  const { services } = await rendered;
  const published = Object.entries(services).filter(([, s]) => s.ports?.length).map(([name]) => name).sort();
  t.deepEqual(published, ['gateway-netns', 'maildev']);
});

test('each pod has a namespace holder (the pause image) that restarts on its own and outlives app and sidecar', async (t) => {
  const { services } = await rendered;
  for (const app of (await readManifest(repoRoot)).apps) {
    const holder = services[`${app.appId}-netns`];
    t.is(holder?.image, names.pause, app.appId);
    t.is((holder as { restart?: string }).restart, 'unless-stopped');
    t.is(holder?.network_mode, undefined, 'the holder owns the namespace');
    t.deepEqual(services[app.appId]!.depends_on?.[`${app.appId}-netns`], { condition: 'service_started' });
  }
});

test('every image name comes from a variable whose default is what `npm run images` builds', async (t) => {
  const { services } = await rendered;
  t.is(services.postgres!.image, names.postgres);
  t.is(services.redis!.image, names.redis);
  t.is(services.maildev!.image, names.maildev);
  t.is(services.sentry!.image, names.sentry);
  for (const app of (await readManifest(repoRoot)).apps) {
    t.is(services[app.appId]!.image, names.service(app.appId));
    t.like(services[app.appId]!.build?.args, { NODE_IMAGE: names.node, NODE_BUILD_IMAGE: names.nodeBuild, SERVICE: app.appId });
  }
  const raw = await readFile(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
  for (const name of ['VCD_DAPRD_IMAGE', 'VCD_SENTRY_IMAGE', 'VCD_PAUSE_IMAGE', 'VCD_POSTGRES_IMAGE', 'VCD_REDIS_IMAGE', 'VCD_MAILDEV_IMAGE', 'VCD_NODE_IMAGE', 'VCD_NODE_BUILD_IMAGE']) {
    t.regex(raw, new RegExp(`\\$\\{${name}:-`), name);
  }
});

test('database-owning services start after their migrations, which get their own database URL', async (t) => {
  const { services } = await rendered;
  const dir = await secretsDir;
  const store = JSON.parse(await readFile(path.join(dir, 'secrets.json'), 'utf8')) as Record<string, string>;
  const init = await readFile(path.join(dir, 'postgres-init.sql'), 'utf8');
  for (const app of (await readManifest(repoRoot)).apps.filter((a) => a.database)) {
    const migrate = services[`${app.appId}-migrate`]!;
    t.deepEqual(migrate.command, ['node', 'src/db/migrate.js']);
    t.is(migrate.environment?.DATABASE_URL, store[`${app.appId}-database-url`]);
    t.regex(migrate.environment!.DATABASE_URL!, new RegExp(`^postgresql://vcd_${app.appId}:[^@]+@postgres:5432/vcd_${app.appId}$`));
    t.true(init.includes(`CREATE DATABASE "vcd_${app.appId}" OWNER "vcd_${app.appId}";`));
    t.deepEqual(services[app.appId]!.depends_on?.[`${app.appId}-migrate`], { condition: 'service_completed_successfully' });
    t.is(migrate.image, services[app.appId]!.image);
  }
});

test("the local Kubernetes overlay runs the same images `npm run images` builds, our daprd as the sidecar", async (t) => {
  const text = await readFile(path.join(repoRoot, 'deploy/k8s/overlays/local/kustomization.yaml'), 'utf8');
  const k = parse(text) as { images: { name: string; newName?: string; newTag?: string }[]; patches: { patch: string }[] };
  const named = (name: string) => k.images.find((i) => i.name === name);
  for (const [official, ours] of [['postgres', names.postgres], ['redis', names.redis], ['maildev/maildev', names.maildev]] as const) {
    t.is(`${named(official)?.newName}:${named(official)?.newTag}`, ours, official);
  }
  t.true(k.patches.some((p) => p.patch.includes('dapr.io~1sidecar-image') && p.patch.includes(`value: ${names.daprd}`)));
});
