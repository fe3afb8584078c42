/**
 * Generates deployment secrets (never committed) and keeps them across runs, so a Postgres volume created with
 * them keeps working:
 *   node --import tsx deploy/secrets/generate-secrets.ts compose      → .secrets/compose/{compose.env,secrets.json,postgres-init.sql,
 *     redis-users.acl,sentry/,sentry-jwks.json,sentry-tokens/}
 *   node --import tsx deploy/secrets/generate-secrets.ts kubernetes [namespace]  → Secret manifests on stdout
 *     (for the local overlay: `... kubernetes vcd | kubectl apply -f -`)
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { readManifest } from '../../scripts/runner/app-manifest.js';
import { composeEnv, generateDeploySecrets, kubernetesSecrets, postgresInitSql, redisAclFile, sentryTokenFiles, type DeploySecrets, type Endpoints } from './deploy-secrets.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Host names of the bundled Postgres, Redis and MailDev: compose service names, and Kubernetes Services of the local overlay. */
const bundled: Endpoints = { postgresHost: 'postgres', redisHost: 'redis:6379', smtpHost: 'maildev', smtpPort: 1025 };

async function loadState(file: string): Promise<Partial<DeploySecrets> | undefined> {
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Partial<DeploySecrets>) : undefined;
}

async function saveState(file: string, secrets: DeploySecrets): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
}

export async function writeComposeSecrets(outDir: string): Promise<DeploySecrets> {
  const { apps } = await readManifest(root);
  const stateFile = path.join(outDir, 'state.json');
  const secrets = generateDeploySecrets(apps, bundled, await loadState(stateFile));
  await saveState(stateFile, secrets);
  await writeFile(path.join(outDir, 'compose.env'), composeEnv(secrets), { mode: 0o600 });
  // Read inside the daprd (uid 65532) and postgres containers through bind mounts, hence world-readable;
  // the directory itself is private to the owner.
  await writeFile(path.join(outDir, 'secrets.json'), JSON.stringify(secrets.store, null, 2) + '\n');
  await writeFile(path.join(outDir, 'postgres-init.sql'), postgresInitSql(secrets));
  // Redis's users (password hashes only), sentry's root and issuer, its JWKS, and one sentry token per daprd.
  await writeFile(path.join(outDir, 'redis-users.acl'), redisAclFile(secrets));
  await mkdir(path.join(outDir, 'sentry'), { recursive: true });
  await writeFile(path.join(outDir, 'sentry', 'ca.crt'), secrets.sentry.ca.rootCert);
  await writeFile(path.join(outDir, 'sentry', 'issuer.crt'), secrets.sentry.ca.issuerCert);
  await writeFile(path.join(outDir, 'sentry', 'issuer.key'), secrets.sentry.ca.issuerKey);
  const { jwks, tokens } = sentryTokenFiles(secrets);
  await writeFile(path.join(outDir, 'sentry-jwks.json'), jwks);
  await mkdir(path.join(outDir, 'sentry-tokens'), { recursive: true });
  for (const [appId, jwt] of Object.entries(tokens)) await writeFile(path.join(outDir, 'sentry-tokens', `${appId}.jwt`), jwt);
  const readable = ['secrets.json', 'postgres-init.sql', 'redis-users.acl', 'sentry/ca.crt', 'sentry/issuer.crt', 'sentry/issuer.key', 'sentry-jwks.json',
    ...Object.keys(tokens).map((appId) => `sentry-tokens/${appId}.jwt`)];
  for (const file of readable) await chmod(path.join(outDir, file), 0o644);
  return secrets;
}

export async function kubernetesSecretsYaml(stateFile: string, namespace: string): Promise<string> {
  const { apps } = await readManifest(root);
  const secrets = generateDeploySecrets(apps, bundled, await loadState(stateFile));
  await saveState(stateFile, secrets);
  return kubernetesSecrets(secrets, namespace, bundled).map((doc) => stringify(doc)).join('---\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [target, namespace = 'vcd'] = process.argv.slice(2);
  if (target === 'compose') {
    const dir = path.join(root, '.secrets/compose');
    await writeComposeSecrets(dir);
    process.stderr.write(`compose secrets in ${path.relative(process.cwd(), dir) || '.'} (kept across runs)\n`);
  } else if (target === 'kubernetes') {
    process.stdout.write(await kubernetesSecretsYaml(path.join(root, '.secrets/k8s', `${namespace}.json`), namespace));
  } else {
    process.stderr.write('usage: generate-secrets.ts compose | kubernetes [namespace]\n');
    process.exit(2);
  }
}
