import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { rateLimitRedisUrl, redisAclLines, REDIS_PASSWORD_KEYS } from '../../scripts/runner/redis-acl.js';
import { newSentryTokenKey, sentryJwks, sentryToken } from '../../scripts/runner/sentry-tokens.js';
import { generateSentryCa, type SentryCa } from './sentry-ca.js';

/**
 * The secrets a deployment needs, generated once and written out for docker-compose (an env file, the Dapr
 * local-file secret store, the Postgres init script) or for Kubernetes (Secret manifests). Nothing here is
 * committed: the outputs go to .secrets/ (git-ignored) or straight into `kubectl apply`.
 */
export interface DeploySecrets {
  /** Per app: the token daprd presents to the app, and the token the app presents to daprd. */
  tokens: Record<string, { appApiToken: string; daprApiToken: string }>;
  /** Per database-owning app: its Postgres role (= database name) and password. */
  databases: Record<string, { role: string; password: string }>;
  /** The Postgres superuser password of the bundled Postgres (compose, local cluster). */
  postgresPassword: string;
  /** What the services read from the Dapr secret store named "secretstore" (key = secret name). */
  store: Record<string, string>;
  /**
   * Outside Kubernetes (compose): sentry's root and issuer, and the key that signs each daprd's sentry token
   * (docs/adr/0010-sentry-identity.md). A cluster's sentry uses Kubernetes service account tokens instead.
   */
  sentry: { ca: SentryCa; tokenKey: string };
}

export interface Endpoints {
  postgresHost: string;
  redisHost: string;
  smtpHost: string;
  smtpPort: number;
}

export const databaseUrlKey = (appId: string) => `${appId}-database-url`;
export const roleFor = (appId: string) => `vcd_${appId}`;
const token = () => randomBytes(24).toString('base64url');

const databaseUrl = (host: string, role: string, password: string) =>
  `postgresql://${role}:${encodeURIComponent(password)}@${host}:5432/${role}`;

function signingKeys(): { signing: string; public: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `k-${randomBytes(6).toString('hex')}`;
  return {
    signing: JSON.stringify({ kid, alg: 'ES256', privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() }),
    public: JSON.stringify([{ kid, alg: 'ES256', publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() }]),
  };
}

/**
 * Generates what is missing and keeps what `previous` already has, so re-running never rotates a password
 * that a Postgres volume or a running deployment already uses.
 */
export function generateDeploySecrets(
  apps: { appId: string; database: boolean }[],
  endpoints: Endpoints,
  previous?: Partial<DeploySecrets>,
): DeploySecrets {
  const tokens: DeploySecrets['tokens'] = {};
  const databases: DeploySecrets['databases'] = {};
  for (const app of apps) {
    tokens[app.appId] = previous?.tokens?.[app.appId] ?? { appApiToken: token(), daprApiToken: token() };
    if (app.database) databases[app.appId] = previous?.databases?.[app.appId] ?? { role: roleFor(app.appId), password: token() };
  }
  const keys = previous?.store?.['jwt-signing-key'] && previous.store['jwt-public-keys'] ? undefined : signingKeys();
  const store: Record<string, string> = {
    ...previous?.store,
    'jwt-signing-key': previous?.store?.['jwt-signing-key'] ?? keys!.signing,
    'jwt-public-keys': previous?.store?.['jwt-public-keys'] ?? keys!.public,
    'smtp-url': `smtp://${endpoints.smtpHost}:${endpoints.smtpPort}`,
  };
  for (const key of Object.values(REDIS_PASSWORD_KEYS)) store[key] = previous?.store?.[key] ?? token();
  store['redis-url'] = rateLimitRedisUrl(endpoints.redisHost, store[REDIS_PASSWORD_KEYS.ratelimit]!, 0);
  for (const [appId, db] of Object.entries(databases)) store[databaseUrlKey(appId)] = databaseUrl(endpoints.postgresHost, db.role, db.password);
  const sentry = previous?.sentry ?? { ca: generateSentryCa(), tokenKey: newSentryTokenKey() };
  return { tokens, databases, postgresPassword: previous?.postgresPassword ?? token(), store, sentry };
}

/** The Redis ACL file of the bundled Redis: the users of scripts/runner/redis-acl.ts with these passwords (hashed). */
export const redisAclFile = (s: DeploySecrets) =>
  redisAclLines({ admin: s.store[REDIS_PASSWORD_KEYS.admin]!, pubsub: s.store[REDIS_PASSWORD_KEYS.pubsub]!, ratelimit: s.store[REDIS_PASSWORD_KEYS.ratelimit]! }).join('\n') + '\n';

/** What compose's sentry and each daprd are given: the JWKS, and one token per app (its daprd's only). */
export function sentryTokenFiles(s: DeploySecrets): { jwks: string; tokens: Record<string, string> } {
  return {
    jwks: sentryJwks(s.sentry.tokenKey),
    tokens: Object.fromEntries(Object.keys(s.tokens).map((appId) => [appId, sentryToken(s.sentry.tokenKey, appId)])),
  };
}

const envName = (appId: string, what: string) => `${appId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${what}`;

/** Variables docker-compose.yml interpolates (`docker-compose --env-file .secrets/compose/compose.env`). */
export function composeEnv(s: DeploySecrets): string {
  const lines = ['# Generated by deploy/secrets/generate-secrets.ts; never commit.', `POSTGRES_PASSWORD=${s.postgresPassword}`];
  for (const [appId, t] of Object.entries(s.tokens)) {
    lines.push(`${envName(appId, 'APP_API_TOKEN')}=${t.appApiToken}`, `${envName(appId, 'DAPR_API_TOKEN')}=${t.daprApiToken}`);
  }
  for (const appId of Object.keys(s.databases)) lines.push(`${envName(appId, 'DATABASE_URL')}=${s.store[databaseUrlKey(appId)]}`);
  // The Redis operator's password (health check) and sentry's root, which every daprd trusts (a PEM: docker-compose
  // reads "\n" in a double-quoted value as a line break).
  lines.push(`REDIS_PASSWORD=${s.store[REDIS_PASSWORD_KEYS.admin]}`);
  lines.push(`DAPR_TRUST_ANCHORS="${s.sentry.ca.rootCert.trim().split('\n').join('\\n')}"`);
  return lines.join('\n') + '\n';
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** Run once by the Postgres image on an empty data directory: one role and one database per service. */
export function postgresInitSql(s: DeploySecrets): string {
  const lines = ['-- Generated by deploy/secrets/generate-secrets.ts; never commit.'];
  for (const db of Object.values(s.databases)) {
    lines.push(`CREATE ROLE ${ident(db.role)} WITH LOGIN PASSWORD ${literal(db.password)};`);
    lines.push(`CREATE DATABASE ${ident(db.role)} OWNER ${ident(db.role)};`);
  }
  return lines.join('\n') + '\n';
}

export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  type: 'Opaque';
  stringData: Record<string, string>;
}

/**
 * The Kubernetes Secrets the manifests in deploy/k8s reference. Secret-store entries become one Secret each,
 * named like the secret and holding it under a key of the same name (what `GET /v1.0/secrets/secretstore/<name>`
 * returns and the services read); tokens and connection settings are Secrets with fixed keys.
 */
export function kubernetesSecrets(s: DeploySecrets, namespace: string, endpoints: Endpoints): SecretManifest[] {
  const secret = (name: string, stringData: Record<string, string>): SecretManifest => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/part-of': 'vcd-simple-blog' } },
    type: 'Opaque',
    stringData,
  });
  const out = Object.entries(s.store).map(([name, value]) => secret(name, { [name]: value }));
  for (const [appId, t] of Object.entries(s.tokens)) {
    out.push(secret(`${appId}-app-api-token`, { token: t.appApiToken }), secret(`${appId}-dapr-api-token`, { token: t.daprApiToken }));
  }
  out.push(secret('redis-pubsub', { host: endpoints.redisHost, password: s.store[REDIS_PASSWORD_KEYS.pubsub]! }));
  // The bundled Redis of the local overlay reads its users from here (deploy/k8s/overlays/local/infra/redis.yaml).
  out.push(secret('redis-acl', { 'users.acl': redisAclFile(s) }));
  out.push(secret('smtp-relay', { host: endpoints.smtpHost, port: String(endpoints.smtpPort), user: '', password: '' }));
  out.push(secret('postgres-admin', { password: s.postgresPassword, 'init.sql': postgresInitSql(s) }));
  return out;
}
