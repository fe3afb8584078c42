import test from 'ava';
import { composeEnv, generateDeploySecrets, kubernetesSecrets, postgresInitSql } from '../../deploy/secrets/deploy-secrets.js';

const apps = [
  { appId: 'gateway', database: false },
  { appId: 'blog', database: true },
];
const endpoints = { postgresHost: 'postgres', redisHost: 'redis:6379', smtpHost: 'maildev', smtpPort: 1025 };

test('generated secrets give every app its own pair of tokens and every database app its own role', (t) => {
  const s = generateDeploySecrets(apps, endpoints);
  t.deepEqual(Object.keys(s.tokens), ['gateway', 'blog']);
  t.not(s.tokens.gateway!.appApiToken, s.tokens.blog!.appApiToken);
  t.true(s.tokens.gateway!.appApiToken.length >= 16);
  t.deepEqual(Object.keys(s.databases), ['blog']);
  t.regex(s.store['blog-database-url']!, /^postgresql:\/\/vcd_blog:[^@]+@postgres:5432\/vcd_blog$/);
  t.is(s.store['gateway-database-url'], undefined);
  t.is(s.store['smtp-url'], 'smtp://maildev:1025');
  for (const key of ['jwt-signing-key', 'jwt-public-keys', 'redis-url']) t.truthy(s.store[key], key);
  const signing = JSON.parse(s.store['jwt-signing-key']!) as { kid: string; alg: string };
  const published = JSON.parse(s.store['jwt-public-keys']!) as { kid: string }[];
  t.is(signing.alg, 'ES256');
  t.is(published[0]!.kid, signing.kid);
});

test('re-generating keeps what exists, so a Postgres volume made with the first passwords keeps working', (t) => {
  const first = generateDeploySecrets(apps, endpoints);
  const again = generateDeploySecrets([...apps, { appId: 'user', database: true }], endpoints, first);
  t.deepEqual(again.databases.blog, first.databases.blog);
  t.deepEqual(again.tokens.gateway, first.tokens.gateway);
  t.is(again.store['jwt-signing-key'], first.store['jwt-signing-key']);
  t.is(again.postgresPassword, first.postgresPassword);
  t.truthy(again.databases.user, 'a new app gets its secrets');
});

test('the compose env file defines the variables docker-compose.yml interpolates', (t) => {
  const env = composeEnv(generateDeploySecrets(apps, endpoints));
  const names = env.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('=')[0]);
  t.deepEqual(names, [
    'POSTGRES_PASSWORD', 'GATEWAY_APP_API_TOKEN', 'GATEWAY_DAPR_API_TOKEN', 'BLOG_APP_API_TOKEN', 'BLOG_DAPR_API_TOKEN', 'BLOG_DATABASE_URL',
    'REDIS_PASSWORD', 'DAPR_TRUST_ANCHORS',
  ]);
});

test('the Postgres init script quotes names and passwords', (t) => {
  const s = generateDeploySecrets(apps, endpoints);
  s.databases.blog!.password = "it's";
  t.true(postgresInitSql(s).includes(`CREATE ROLE "vcd_blog" WITH LOGIN PASSWORD 'it''s';`));
});

test('Kubernetes Secrets hold each secret-store entry under a key named like the Secret, as the services read it', (t) => {
  const secrets = kubernetesSecrets(generateDeploySecrets(apps, endpoints), 'vcd', endpoints);
  const byName = Object.fromEntries(secrets.map((s) => [s.metadata.name, s]));
  t.deepEqual(Object.keys(byName['blog-database-url']!.stringData), ['blog-database-url']);
  t.deepEqual(Object.keys(byName['gateway-app-api-token']!.stringData), ['token']);
  t.true(secrets.every((s) => s.metadata.namespace === 'vcd' && s.kind === 'Secret'));
});
