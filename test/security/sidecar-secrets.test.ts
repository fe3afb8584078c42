import test from 'ava';
import { stack } from '../support/stack.js';

// Attacker's notebook: I run code inside one service (a dependency I poisoned, an RCE). I hold what that service
// holds: its Dapr API token and its sidecar's HTTP port. What can I pull out of the secret store?
// Control: each app's Dapr Configuration (dapr/<app>.yaml, spec.secrets.scopes) allows only the secrets it reads.

const secretFrom = (app: string, key: string) => {
  const a = stack().apps[app]!;
  return fetch(`http://127.0.0.1:${a.daprHttpPort}/v1.0/secrets/secretstore/${encodeURIComponent(key)}`, { headers: { 'dapr-api-token': a.daprApiToken } });
};
const bulkFrom = async (app: string) => {
  const a = stack().apps[app]!;
  const res = await fetch(`http://127.0.0.1:${a.daprHttpPort}/v1.0/secrets/secretstore/bulk`, { headers: { 'dapr-api-token': a.daprApiToken } });
  return { status: res.status, body: (await res.json()) as Record<string, Record<string, string>> };
};

/** What each service reads (grep getSecret services packages): nothing more may come out of its sidecar. */
const NEEDS: Record<string, string[]> = {
  gateway: ['redis-url'],
  auth: ['auth-database-url', 'jwt-public-keys', 'jwt-signing-key', 'redis-url'],
  blog: ['blog-database-url'],
  user: ['user-database-url'],
};

test('a compromised gateway, blog or user cannot read the JWT signing key (only auth can)', async (t) => {
  const signingKey = stack().secrets['jwt-signing-key']!;
  for (const app of ['gateway', 'blog', 'user']) {
    const res = await secretFrom(app, 'jwt-signing-key');
    const text = await res.text();
    t.is(res.status, 403, `${app}'s sidecar refuses: ${text}`);
    t.false(text.includes(JSON.parse(signingKey).kid), `${app} learns nothing of the key`);
  }
  const auth = await secretFrom('auth', 'jwt-signing-key');
  t.is(auth.status, 200, 'auth, which signs the tokens, still reads it');
  t.deepEqual(await auth.json(), { 'jwt-signing-key': signingKey });
});

test("a compromised service cannot read another service's database URL", async (t) => {
  for (const [app, other] of [['blog', 'user'], ['user', 'auth'], ['gateway', 'blog'], ['auth', 'blog']] as const) {
    const res = await secretFrom(app, `${other}-database-url`);
    t.is(res.status, 403, `${app} reading ${other}-database-url`);
  }
});

test('nor the Redis passwords of the sidecars and the operator, nor secrets nobody reads', async (t) => {
  for (const app of Object.keys(NEEDS)) {
    for (const key of ['redis-password', 'redis-pubsub-password', 'redis-ratelimit-password', 'smtp-url']) {
      t.is((await secretFrom(app, key)).status, 403, `${app} reading ${key}`);
    }
  }
});

test("the bulk endpoint hands each service exactly the secrets it reads, and none of the others'", async (t) => {
  for (const [app, needs] of Object.entries(NEEDS)) {
    const { status, body } = await bulkFrom(app);
    t.is(status, 200);
    t.deepEqual(Object.keys(body).sort(), [...needs].sort(), `${app} gets its own secrets only`);
    for (const key of needs) t.deepEqual(body[key], { [key]: stack().secrets[key] }, `${app}: ${key}`);
  }
});
