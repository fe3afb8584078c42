import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { UserService } from '@vcd/contracts';
import { stack } from '../support/stack.js';

// Attacker's notebook: I run code inside one service and hold its Dapr API token. Through my sidecar I can
// invoke any app id; the callee's sidecar knows who I am from my mTLS certificate (sentry). Which of the other
// services' routes can I reach?
// Control: access control in each app's Dapr Configuration (dapr/<app>.yaml): deny by default, and only named
// caller/operation pairs allowed, the same in compose and Kubernetes (test/deploy/least-privilege.test.ts).

async function invokeAs(caller: string, target: string, method: string, path: string, body?: string | Buffer<ArrayBuffer>) {
  const a = stack().apps[caller]!;
  const res = await fetch(`http://127.0.0.1:${a.daprHttpPort}/v1.0/invoke/${target}/method/${path}`, {
    method,
    headers: { 'dapr-api-token': a.daprApiToken, 'content-type': typeof body === 'string' ? 'application/json' : 'application/x-protobuf' },
    body,
  });
  return { status: res.status, text: await res.text() };
}

const DENIED = /access control policy has denied access to id: spiffe:\/\/public\/ns\/default\//;

async function refused(t: ExecutionContext, caller: string, target: string, method: string, path: string, body?: string | Buffer<ArrayBuffer>) {
  const res = await invokeAs(caller, target, method, path, body);
  t.is(res.status, 403, `${caller} → ${method} ${target}/${path}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
  t.regex(res.text, DENIED, `${caller} → ${target}/${path} is refused by Dapr's access control`);
}

const GET_PROFILES = UserService.GetProfiles.method;
const LIST_FOLLOWING = UserService.ListFollowing.method;
const noProfiles = () => Buffer.from(UserService.GetProfiles.encodeRequest({ userIds: [], viewerId: '' }));

test("a compromised blog cannot reach auth at all: not its public API, its keys, nor its token check", async (t) => {
  await refused(t, 'blog', 'auth', 'POST', 'api/users/login', JSON.stringify({ user: { email: 'a@example.test', password: 'x' } }));
  await refused(t, 'blog', 'auth', 'GET', 'internal/jwks');
  await refused(t, 'blog', 'auth', 'POST', 'vcd.auth.v1.AuthService/ValidateToken', Buffer.from([]));
  await refused(t, 'blog', 'auth', 'GET', 'readyz');
});

test("a compromised blog cannot rewrite anyone's profile, nor create one, through user's internal routes", async (t) => {
  await refused(t, 'blog', 'user', 'PUT', `internal/profiles/${randomUUID()}`, JSON.stringify({ bio: 'pwned' }));
  await refused(t, 'blog', 'user', 'POST', 'internal/profiles', JSON.stringify({ userId: randomUUID(), username: 'mallory' }));
  await refused(t, 'blog', 'user', 'GET', 'api/user/notifications');
  // What blog needs from user stays open: author cards and follow lists (gRPC through Dapr).
  t.is((await invokeAs('blog', 'user', 'POST', GET_PROFILES, noProfiles())).status, 200);
  t.is((await invokeAs('blog', 'user', 'GET', 'internal/stats')).status, 200);
});

test('a compromised auth may only create profiles in user, not change them or read anything else', async (t) => {
  await refused(t, 'auth', 'user', 'PUT', `internal/profiles/${randomUUID()}`, JSON.stringify({ bio: 'pwned' }));
  await refused(t, 'auth', 'user', 'POST', GET_PROFILES, noProfiles());
  await refused(t, 'auth', 'user', 'GET', 'internal/stats');
  await refused(t, 'auth', 'blog', 'GET', 'api/articles');
  const created = await invokeAs('auth', 'user', 'POST', 'internal/profiles', JSON.stringify({ userId: 'not-a-uuid' }));
  t.is(created.status, 422, 'its one route reaches the app (which validates the body)');
});

test('a compromised user service cannot invoke auth, blog or itself through another app id', async (t) => {
  await refused(t, 'user', 'auth', 'GET', 'internal/jwks');
  await refused(t, 'user', 'auth', 'POST', 'api/users', JSON.stringify({ user: {} }));
  await refused(t, 'user', 'blog', 'POST', 'api/articles', JSON.stringify({ article: {} }));
});

test('nobody invokes the gateway through Dapr', async (t) => {
  for (const caller of ['auth', 'blog', 'user']) await refused(t, caller, 'gateway', 'GET', 'healthz');
});

test("the gateway reaches only what it uses: not user's stats or follow lists, not the services' health probes", async (t) => {
  await refused(t, 'gateway', 'user', 'GET', 'internal/stats');
  await refused(t, 'gateway', 'user', 'POST', LIST_FOLLOWING, Buffer.from(UserService.ListFollowing.encodeRequest({ userId: randomUUID() })));
  await refused(t, 'gateway', 'user', 'GET', `internal/profiles/${randomUUID()}`);
  await refused(t, 'gateway', 'user', 'POST', 'internal/profiles', JSON.stringify({ userId: randomUUID(), username: 'mallory' }));
  for (const target of ['auth', 'blog', 'user']) await refused(t, 'gateway', target, 'GET', 'healthz');
  // What it uses stays open.
  t.is((await invokeAs('gateway', 'auth', 'GET', 'internal/jwks')).status, 200);
  t.is((await invokeAs('gateway', 'blog', 'GET', 'readyz')).status, 200);
  t.is((await invokeAs('gateway', 'user', 'POST', GET_PROFILES, noProfiles())).status, 200);
});
