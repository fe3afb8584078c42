import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { query } from '../support/db.js';
import { api, eventually, register, stack } from '../support/stack.js';

test('readiness reports the sidecar and every service, each reached through Dapr as the gateway', async (t) => {
  const res = await api('GET', '/readyz');
  t.is(res.status, 200);
  t.true(res.body.checks.sidecar.ok);
  for (const app of ['auth', 'blog', 'user']) {
    t.true(res.body.checks[app].ok, `${app} ready`);
    // daprd adds dapr-caller-app-id on invocation; a service reached any other way sees none.
    t.is(res.body.checks[app].callerSeen, 'gateway', `${app} saw the gateway's app id`);
  }
});

test('a public request reaches each service through the gateway and its sidecar', async (t) => {
  const tags = await api('GET', '/api/tags');
  t.is(tags.status, 200);
  t.true(Array.isArray(tags.body.tags));

  const user = await register();
  const me = await api('GET', '/api/user', { token: user.token });
  t.is(me.status, 200);
  t.is(me.body.user.username, user.username);

  const profile = await eventually(async () => {
    const r = await api('GET', `/api/profiles/${user.username}`);
    return r.status === 200 ? r : undefined;
  });
  t.is(profile.body.profile.username, user.username);
});

test('an event published by auth reaches the user service through Redis pub/sub, once', async (t) => {
  const user = await register();
  const [account] = await query<{ id: string }>('auth', 'select id from account where username = $1', [user.username]);
  t.truthy(account);
  // The outbox row was published by the relay …
  const [outbox] = await eventually(async () => {
    const rows = await query<{ id: string; published_at: Date | null }>(
      'auth',
      `select id, published_at from outbox where topic = 'user.registered' and payload->>'userId' = $1`,
      [account!.id],
    );
    return rows[0]?.published_at ? rows : undefined;
  });
  // … and the user service recorded that CloudEvent id in its inbox together with the profile.
  const inbox = await eventually(async () => {
    const rows = await query('user', 'select event_id from inbox where event_id = $1', [outbox!.id]);
    return rows.length ? rows : undefined;
  });
  t.is(inbox.length, 1);
  const profiles = await query('user', 'select id, username from profile where id = $1', [account!.id]);
  t.deepEqual(profiles, [{ id: account!.id, username: user.username }]);
});

test('secrets are read through the Dapr secret store', async (t) => {
  const gw = stack().apps.gateway!;
  const res = await fetch(`http://127.0.0.1:${gw.daprHttpPort}/v1.0/secrets/secretstore/redis-url`, {
    headers: { 'dapr-api-token': gw.daprApiToken },
  });
  t.is(res.status, 200);
  const onDisk = JSON.parse(await readFile(path.join(stack().runDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  t.deepEqual(await res.json(), { 'redis-url': onDisk['redis-url'] });
  // Without the app's Dapr API token the sidecar refuses.
  const denied = await fetch(`http://127.0.0.1:${gw.daprHttpPort}/v1.0/secrets/secretstore/redis-url`);
  t.is(denied.status, 401);
});

test('a service refuses calls that bypass its sidecar or do not come from the gateway', async (t) => {
  const blog = stack().apps.blog!;
  const direct = await fetch(`http://127.0.0.1:${blog.appPort}/api/tags`);
  t.is(direct.status, 401, 'no app API token: not from daprd');
  t.is(((await direct.json()) as { code: string }).code, 'SIDECAR_ONLY');

  // Through the user service's own sidecar: Dapr's access control on blog's sidecar (caller identity from the
  // mTLS certificate sentry issued to the user sidecar) refuses before the request reaches blog.
  const user = stack().apps.user!;
  const viaOther = await fetch(`http://127.0.0.1:${user.daprHttpPort}/v1.0/invoke/blog/method/api/tags`, {
    headers: { 'dapr-api-token': user.daprApiToken },
  });
  t.is(viaOther.status, 403);
  t.regex(await viaOther.text(), /access control policy has denied access to id: spiffe:\/\/public\/ns\/default\/user/);

  // The auth service's public routes likewise, from the blog sidecar.
  const blogSidecar = stack().apps.blog!;
  const authFromBlog = await fetch(`http://127.0.0.1:${blogSidecar.daprHttpPort}/v1.0/invoke/auth/method/api/user`, {
    headers: { 'dapr-api-token': blogSidecar.daprApiToken },
  });
  t.is(authFromBlog.status, 403);
});

test('every app answers a forged app API token with 401, whatever its bytes (non-ASCII, wrong length, empty)', async (t) => {
  for (const [name, app] of Object.entries(stack().apps)) {
    const real = app.appApiToken;
    // Latin-1 characters travel as single bytes and reach the app as one character each: the same length in
    // characters as the real token, another length in bytes.
    const forged = [`${real.slice(0, -1)}é`, `${real}x`, 'ÿ'.repeat(real.length), real.slice(1)];
    for (const token of forged) {
      // The gateway's own /api routes are public; its /events and /dapr routes are for its sidecar only.
      for (const path of ['/events/session.revoked', '/dapr/subscribe', ...(name === 'gateway' ? [] : ['/api/tags'])]) {
        const res = await fetch(`http://127.0.0.1:${app.appPort}${path}`, { method: path.startsWith('/events/') ? 'POST' : 'GET', headers: { 'dapr-api-token': token, 'content-type': 'application/json' }, body: path.startsWith('/events/') ? '{}' : undefined });
        t.is(res.status, 401, `${name} ${path} with token ${JSON.stringify(token)}`);
      }
    }
  }
});

test('a service that is reached with the app token but without the gateway as caller refuses public routes', async (t) => {
  // Defence in depth behind Dapr's access control: the app itself checks the caller app id daprd reports.
  const blog = stack().apps.blog!;
  const res = await fetch(`http://127.0.0.1:${blog.appPort}/api/tags`, { headers: { 'dapr-api-token': blog.appApiToken, 'dapr-caller-app-id': 'user' } });
  t.is(res.status, 403);
  t.is(((await res.json()) as { code: string }).code, 'GATEWAY_ONLY');
});

test('an unknown path answers a problem document, not a stack trace', async (t) => {
  const res = await api('GET', '/api/nothing-here');
  t.is(res.status, 404);
  t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  t.is(res.body.code, 'NOT_FOUND');
  t.truthy(res.headers.get('x-request-id'));
});
