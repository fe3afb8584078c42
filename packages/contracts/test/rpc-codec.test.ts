import test from 'ava';
import { isMessage } from '@bufbuild/protobuf';
import { AuthService, GetProfilesResponseSchema, UserService } from '../src/index.js';

// The rpc descriptors built from the generated code: names as Dapr carries them, the serving app, and codecs.

test('each rpc carries its Dapr method name and the app that serves it', (t) => {
  t.like(AuthService.ValidateToken, { appId: 'auth', method: 'vcd.auth.v1.AuthService/ValidateToken' });
  t.like(UserService.GetProfiles, { appId: 'user', method: 'vcd.user.v1.UserService/GetProfiles' });
  t.like(UserService.ListFollowing, { appId: 'user', method: 'vcd.user.v1.UserService/ListFollowing' });
});

test('requests and responses round-trip from plain fields, with proto3 defaults filled in', (t) => {
  const req = UserService.GetProfiles.decodeRequest(UserService.GetProfiles.encodeRequest({ userIds: ['a', 'b'], viewerId: 'v' }));
  t.deepEqual([req.userIds, req.viewerId, req.usernames], [['a', 'b'], 'v', []]);
  const res = UserService.GetProfiles.decodeResponse(
    UserService.GetProfiles.encodeResponse({ profiles: [{ userId: 'a', username: 'jake', bio: 'hi', following: true }, { userId: 'b', username: 'ann', image: '' }] }),
  );
  t.true(isMessage(res, GetProfilesResponseSchema));
  t.like(res.profiles[0], { userId: 'a', username: 'jake', bio: 'hi', following: true });
  t.is(res.profiles[0]!.image, undefined, 'an unset optional field decodes as undefined');
  t.is(res.profiles[1]!.bio, undefined);
  t.is(res.profiles[1]!.image, '', 'a set optional field keeps its value, even the empty string');
});

test('int64 fields are bigints (active_until_ms)', (t) => {
  const at = BigInt(Date.UTC(2030, 0, 1));
  const res = AuthService.ValidateToken.decodeResponse(AuthService.ValidateToken.encodeResponse({ valid: true, userId: 'u', activeUntilMs: at }));
  t.is(res.activeUntilMs, at);
  t.is(Number(res.activeUntilMs), Date.UTC(2030, 0, 1));
  t.is(AuthService.ValidateToken.decodeResponse(new Uint8Array()).activeUntilMs, 0n);
});

test('bytes that are not a message of the rpc are refused', (t) => {
  t.throws(() => UserService.GetProfiles.decodeRequest(new Uint8Array([0xff, 0xff, 0xff, 0xff])));
});
