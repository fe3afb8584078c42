import test from 'ava';
import { DaprGrpcInvoker, UserService } from '@vcd/contracts';
import { AppError } from '@vcd/errors';
import { api, registerUser, stack, userStats } from '../../services/user/test/support/user-stack.js';

const invokerOf = (app: string) => {
  const a = stack().apps[app]!;
  return new DaprGrpcInvoker({ host: '127.0.0.1', grpcPort: a.daprGrpcPort, apiToken: a.daprApiToken });
};
const GET_PROFILES = UserService.GetProfiles.method;

test('GetProfiles through the blog sidecar returns many profiles in one call, following relative to the viewer', async (t) => {
  const [viewer, followed, other] = await Promise.all([registerUser('gv'), registerUser('gf'), registerUser('go')]);
  t.is((await api('POST', `/api/profiles/${followed.username}/follow`, { token: viewer.token })).status, 200);
  const before = await userStats();

  const res = await invokerOf('blog').call(UserService.GetProfiles, {
    userIds: [followed.id, other.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000'],
    usernames: [viewer.username],
    viewerId: viewer.id,
  });

  const byName = Object.fromEntries(res.profiles.map((p) => [p.username, p]));
  t.is(res.profiles.length, 3, 'unknown and malformed ids are simply absent');
  t.like(byName[followed.username], { userId: followed.id, following: true });
  t.is(byName[followed.username]?.bio ?? null, null, 'no bio yet');
  t.like(byName[other.username], { userId: other.id, following: false });
  t.like(byName[viewer.username], { userId: viewer.id, following: false });
  // The handler saw the calling app's id, which only daprd sets: the call went through the sidecars.
  const after = await userStats();
  t.is((after.rpc[GET_PROFILES]?.blog ?? 0) - (before.rpc[GET_PROFILES]?.blog ?? 0), 1);
});

test('an anonymous viewer gets following=false, and the gateway is counted as its own caller', async (t) => {
  const [viewer, followed] = await Promise.all([registerUser('ga'), registerUser('gb')]);
  await api('POST', `/api/profiles/${followed.username}/follow`, { token: viewer.token });
  const before = await userStats();
  const res = await invokerOf('gateway').call(UserService.GetProfiles, { userIds: [followed.id], viewerId: '' });
  t.deepEqual(res.profiles.map((p) => [p.username, p.following]), [[followed.username, false]]);
  const after = await userStats();
  t.is((after.rpc[GET_PROFILES]?.gateway ?? 0) - (before.rpc[GET_PROFILES]?.gateway ?? 0), 1);
});

test('ListFollowing returns the ids a user follows', async (t) => {
  const [me, a, b] = await Promise.all([registerUser('lf'), registerUser('la'), registerUser('lb')]);
  for (const u of [a, b]) await api('POST', `/api/profiles/${u.username}/follow`, { token: me.token });
  const res = await invokerOf('blog').call(UserService.ListFollowing, { userId: me.id });
  t.deepEqual([...res.userIds].sort(), [a.id, b.id].sort());
  const none = await invokerOf('blog').call(UserService.ListFollowing, { userId: 'nobody' });
  t.deepEqual(none.userIds, []);
});

test('the rpc route refuses calls that did not come through daprd', async (t) => {
  const user = stack().apps.user!;
  const url = `http://127.0.0.1:${user.appPort}/${GET_PROFILES}`;
  const body = Buffer.from(UserService.GetProfiles.encodeRequest({ userIds: [], viewerId: '' }));
  const direct = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
  t.is(direct.status, 401);
  t.is(((await direct.json()) as { code: string }).code, 'SIDECAR_ONLY');
  // Even with the app token, a request without daprd's caller app id is not a service call.
  const noCaller = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', 'dapr-api-token': user.appApiToken } });
  t.is(noCaller.status, 403);
  t.is(((await noCaller.json()) as { code: string }).code, 'INTERNAL_ONLY');
});

test('a malformed protobuf body is refused, and the invoker turns the failure into a typed error', async (t) => {
  const blog = stack().apps.blog!;
  const res = await fetch(`http://127.0.0.1:${blog.daprHttpPort}/v1.0/invoke/user/method/${GET_PROFILES}`, {
    method: 'POST',
    headers: { 'dapr-api-token': blog.daprApiToken, 'content-type': 'application/x-protobuf' },
    body: Buffer.from([0xff, 0xff, 0xff, 0xff]),
  });
  t.is(res.status, 400);
  t.is(((await res.json()) as { code: string }).code, 'INVALID_PROTOBUF');

  // Through gRPC: daprd reports the app's HTTP error with its status; the invoker makes it a typed error.
  const garbled = { ...UserService.GetProfiles, encodeRequest: () => new Uint8Array([0xff, 0xff, 0xff, 0xff]) };
  const rejected = await t.throwsAsync(invokerOf('blog').call(garbled, { userIds: [], viewerId: '' }));
  t.true(rejected instanceof AppError);
  t.like(rejected, { code: 'UPSTREAM_FAILED', status: 502 });
  t.regex(rejected!.message, /answered HTTP 400/);

  const unreachable = await t.throwsAsync(invokerOf('blog').call({ ...UserService.GetProfiles, appId: 'no-such-app' }, { userIds: [], viewerId: '' }));
  t.like(unreachable, { code: 'UPSTREAM_UNAVAILABLE', status: 503 });
});

test('an oversized rpc body is refused before it is decoded', async (t) => {
  const user = stack().apps.user!;
  const res = await fetch(`http://127.0.0.1:${user.appPort}/${GET_PROFILES}`, {
    method: 'POST',
    headers: { 'dapr-api-token': user.appApiToken, 'dapr-caller-app-id': 'blog', 'content-type': 'application/x-protobuf' },
    body: Buffer.alloc(1024 * 1024 + 1),
  });
  t.is(res.status, 413);
  t.is(((await res.json()) as { code: string }).code, 'PAYLOAD_TOO_LARGE');
});
