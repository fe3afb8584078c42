import test from 'ava';
import { startAuth, type AuthApp } from '../../../test/support/service-apps.js';

/**
 * The auth service in-process (its buildApp) against a migrated database of its own and a real Redis, with fakes
 * where its sidecar would be: registration, login and refresh over HTTP as daprd delivers them from the gateway,
 * and what they leave behind (the account, its session, the mail in the mail outbox, the event in the outbox).
 */
/** A JWT's claims (the app signed it; what it says is checked here, not its signature). */
const decodeJwt = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; sid: string; username: string; role: string; iat: number; exp: number };

let auth: AuthApp;
test.before(async () => {
  auth = await startAuth();
});
test.after.always(async () => {
  await auth?.close();
});

let n = 0;
// Each registration from a client address of its own (TEST-NET-2), so the per-address budgets never meet.
const client = () => ({ 'x-forwarded-for': `198.51.100.${(n % 250) + 1}` });
const newUser = () => {
  const id = `c${process.pid}${Date.now().toString(36)}${n++}`;
  return { username: id, email: `${id}@example.test`, password: `correct horse battery staple ${n}` };
};
const register = async (user = newUser()) => {
  const res = await auth.call('POST', '/api/users', { body: { user }, headers: client() });
  return { user, res };
};

test('registration answers the RealWorld user with a session token and a refresh token', async (t) => {
  const { user, res } = await register();
  t.is(res.status, 201, JSON.stringify(res.body));
  t.like(res.body.user, { username: user.username, email: user.email, bio: null, image: null });
  const claims = decodeJwt(res.body.user.token as string);
  t.like(claims, { username: user.username, role: 'user', iss: 'vcd-simple-blog/auth', aud: 'vcd-simple-blog' });
  t.is(typeof res.body.user.refreshToken, 'string');

  const [account] = await auth.db.sql<{ id: string; email: string | null; claimed_email: string | null; version: number }>(
    'select id, email, claimed_email, version from account where username = ?',
    [user.username],
  );
  t.is(account!.id, claims.sub);
  t.deepEqual(await auth.db.sql('select count(*)::int as n from session where account_id = ?', [account!.id]), [{ n: 1 }]);
  t.deepEqual(auth.profilesCreated.filter((p) => p.userId === account!.id), [{ userId: account!.id, username: user.username }], 'the profile was asked for');
});

test('registration writes the verification mail to the mail outbox and user.registered to the outbox, in its transaction', async (t) => {
  const commitsBefore = auth.commits.length;
  const { user, res } = await register();
  t.is(res.status, 201);
  const mails = await auth.db.sql<{ to_address: string; subject: string; body: string; sent_at: Date | null }>(
    'select to_address, subject, body, sent_at from mail_outbox where to_address = ?',
    [user.email],
  );
  t.is(mails.length, 1);
  t.is(mails[0]!.sent_at, null, 'the relay (not running here) sends it');
  t.true(mails[0]!.body.includes(user.username), mails[0]!.body);
  const events = await auth.db.sql<{ topic: string; payload: Record<string, unknown> }>(`select topic, payload from outbox where payload->>'username' = ?`, [user.username]);
  t.deepEqual(
    events.map((e) => [e.topic, e.payload.version]),
    [['user.registered', 1]],
  );
  t.true(auth.commits.length > commitsBefore, 'the relays were woken after the commit');
});

test('an address that already has an account registers nothing new and mails its owner instead', async (t) => {
  const { user } = await register();
  const again = await register({ ...newUser(), email: user.email });
  t.is(again.res.status, 201, 'the same answer, so registration does not tell whether an address has an account');
  const mails = await auth.db.sql<{ subject: string }>('select subject from mail_outbox where to_address = ? order by created_at', [user.email]);
  t.is(mails.length, 2);
  t.deepEqual(await auth.db.sql('select count(*)::int as n from account where email = ?', [user.email]), [{ n: 1 }]);
});

test('login with the right password answers a new session; a wrong password answers 401 in the RealWorld shape', async (t) => {
  const { user } = await register();
  const ok = await auth.call('POST', '/api/users/login', { body: { user: { email: user.email, password: user.password } }, headers: client() });
  t.is(ok.status, 200, JSON.stringify(ok.body));
  t.is(ok.body.user.username, user.username);
  const wrong = await auth.call('POST', '/api/users/login', { body: { user: { email: user.email, password: 'not the password at all' } }, headers: client() });
  t.is(wrong.status, 401);
  t.deepEqual(wrong.body.errors, { 'email or password': ['is invalid'] });
  t.is(wrong.body.code, 'AUTH.INVALID_CREDENTIALS');
  const unknown = await auth.call('POST', '/api/users/login', { body: { user: { email: `nobody${n++}@example.test`, password: user.password } }, headers: client() });
  const withoutRequestId = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
  t.is(unknown.status, 401);
  t.deepEqual(withoutRequestId(unknown.body), withoutRequestId(wrong.body), 'an unknown address answers the same, word for word');
  const [{ n: sessions }] = (await auth.db.sql<{ n: number }>('select count(*)::int as n from session s join account a on a.id = s.account_id where a.username = ?', [user.username])) as [
    { n: number },
  ];
  t.is(sessions, 2, 'registration and the login each opened a session');
});

test('refresh rotates the refresh token; reusing a spent one is refused and ends the session', async (t) => {
  const { res } = await register();
  const first = res.body.user.refreshToken as string;
  const refreshed = await auth.call('POST', '/api/users/refresh', { body: { user: { refreshToken: first } }, headers: client() });
  t.is(refreshed.status, 200, JSON.stringify(refreshed.body));
  const second = refreshed.body.user.refreshToken as string;
  t.not(second, first);
  const access = decodeJwt(refreshed.body.user.token as string);
  t.is(access.exp - access.iat, 900, 'a short access token (ACCESS_TOKEN_TTL_SECONDS)');

  const reused = await auth.call('POST', '/api/users/refresh', { body: { user: { refreshToken: first } }, headers: client() });
  t.is(reused.status, 401);
  const afterReuse = await auth.call('POST', '/api/users/refresh', { body: { user: { refreshToken: second } }, headers: client() });
  t.is(afterReuse.status, 401, 'the reuse revoked the whole session, the newest token with it');
  const [session] = await auth.db.sql<{ revoked_at: Date | null }>('select revoked_at from session where id = ?', [access.sid]);
  t.truthy(session!.revoked_at);
});

test('invalid fields answer 422 in the RealWorld shape and register nothing', async (t) => {
  const user = newUser();
  const res = await auth.call('POST', '/api/users', { body: { user: { ...user, password: `${user.username}-and-more-words` } }, headers: client() });
  t.is(res.status, 422);
  t.truthy(res.body.errors.password, JSON.stringify(res.body));
  t.deepEqual(await auth.db.sql('select 1 from account where username = ?', [user.username]), []);
});

test('only daprd reaches the app: no or a wrong app API token is 401, and public routes only from the gateway', async (t) => {
  const body = { user: newUser() };
  t.is((await auth.call('POST', '/api/users', { body, token: null })).status, 401);
  t.is((await auth.call('POST', '/api/users', { body, token: 'x'.repeat(32) })).status, 401);
  const fromBlog = await auth.call('POST', '/api/users', { body, caller: 'blog' });
  t.true(fromBlog.status === 403 || fromBlog.status === 404, `${fromBlog.status}`);
  t.deepEqual(await auth.db.sql('select 1 from account where username = ?', [body.user.username]), []);
  t.is((await auth.call('GET', '/healthz')).status, 200);
});
