import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { parse, stringify } from 'yaml';
import { writeComposeSecrets } from '../../deploy/secrets/generate-secrets.js';
import { repoRoot } from '../../deploy/validate/manifests.js';
import { freePort, sentryPath } from '../../scripts/runner/stack.js';
import { askSentryAt } from '../support/sentry.js';

// The compose stack's sentry cannot be run here (no images), but its binary can: the real sentry 1.18.3 with what
// `task compose:secrets` generates (root and issuer from openssl, the JWKS, the per-app tokens) and the
// compose sentry Configuration, asked for certificates as compose's sidecars (and an attacker) would.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('compose: sentry accepts the generated root and issuer, and signs each app id only for that app\'s token', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'vcd-compose-sentry-'));
  const [grpcPort, healthzPort] = [await freePort(), await freePort()];
  const config = parse(await readFile(path.join(repoRoot, 'components/compose/sentry.yaml'), 'utf8'));
  t.is(config.spec.mtls.tokenValidators[0].options.source, '/dapr/sentry/jwks.json', 'the path docker-compose.yml mounts the JWKS at');
  await writeComposeSecrets(dir);
  config.spec.mtls.tokenValidators[0].options.source = path.join(dir, 'sentry-jwks.json');
  await writeFile(path.join(dir, 'sentry.yaml'), stringify(config));
  const sentry = spawn(sentryPath(), ['--config', path.join(dir, 'sentry.yaml'), '--issuer-credentials', path.join(dir, 'sentry'), '--trust-domain', 'localhost',
    '--port', String(grpcPort), '--listen-address', '127.0.0.1', '--healthz-port', String(healthzPort), '--healthz-listen-address', '127.0.0.1',
    '--enable-metrics=false', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  sentry.stdout.on('data', (c: Buffer) => output.push(c.toString()));
  sentry.stderr.on('data', (c: Buffer) => output.push(c.toString()));
  t.teardown(async () => {
    sentry.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 100 && sentry.exitCode === null; i++) {
    if (await fetch(`http://127.0.0.1:${healthzPort}/healthz`).then((r) => r.ok, () => false)) break;
    await sleep(200);
  }
  t.is(sentry.exitCode, null, `sentry runs with the generated credentials:\n${output.join('')}`);

  // What every compose daprd trusts (DAPR_TRUST_ANCHORS from compose.env) is the root sentry signs under.
  const env = await readFile(path.join(dir, 'compose.env'), 'utf8');
  const anchors = /^DAPR_TRUST_ANCHORS="(.*)"$/m.exec(env)![1]!.replace(/\\n/g, '\n');
  t.is(anchors.trim(), (await readFile(path.join(dir, 'sentry', 'ca.crt'), 'utf8')).trim());

  const address = `127.0.0.1:${grpcPort}`;
  const root = Buffer.from(anchors);
  const token = (app: string) => readFile(path.join(dir, 'sentry-tokens', `${app}.jwt`), 'utf8');
  for (const app of ['gateway', 'auth', 'blog', 'user']) t.is(await askSentryAt(address, root, app, await token(app)), 'signed', app);
  t.regex(await askSentryAt(address, root, 'auth', await token('blog')), /PERMISSION_DENIED|token validation failed/);
  t.regex(await askSentryAt(address, root, 'auth', ''), /validator name must be specified/);
});
