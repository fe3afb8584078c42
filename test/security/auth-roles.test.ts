/**
 * Attacker's notebook: a demoted editor or admin keeps their power while the gateway trusts a cached session.
 * auth now announces every role change (user.role_changed, through the outbox in the same transaction,
 * published right after commit); the gateway's subscription that drops the cached sessions is the lead's part.
 */
import test from 'ava';
import { query } from '../support/db.js';
import { api, eventually, stackRedis } from '../support/stack.js';
import { claimsOf, freshIp, loginFrom, outboxEvents, registerFrom } from '../../services/auth/test/support/auth-system.js';

test.serial('a role change is published at once as user.role_changed { userId, role }, from the outbox, onto the pub/sub stream', async (t) => {
  const ip = freshIp();
  const admin = await registerFrom(ip);
  const target = await registerFrom(ip);
  await query('auth', `update account set role = 'admin' where username = $1`, [admin.username]);
  const token = (await loginFrom(ip, admin.email, admin.password)).body.user.token as string;
  const userId = claimsOf(target.token).sub;

  const res = await api('PUT', `/api/admin/users/${target.username}/role`, { token, body: { role: 'editor' } });
  t.is(res.status, 200);
  const [event] = await outboxEvents('user.role_changed', userId);
  t.deepEqual(event?.payload, { userId, role: 'editor' }, 'written with the change');
  // Published right after commit (not at the relay's next poll), like session.revoked.
  await eventually(async () => {
    const [row] = await query<{ published_at: Date | null }>('auth', 'select published_at from outbox where id = $1', [event!.id]);
    return row?.published_at ?? undefined;
  }, 3000);
  // And it is on the Redis stream daprd publishes to, as a CloudEvent from auth with the outbox row's id.
  const redis = stackRedis();
  await redis.connect();
  try {
    const onStream = await eventually(async () => {
      const entries = (await redis.xrevrange('user.role_changed', '+', '-', 'COUNT', 200)) as [string, string[]][];
      return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('data') + 1] ?? '{}')).find((ce: { id?: string }) => ce.id === event!.id);
    }, 5000);
    t.like(onStream, { type: 'user.role_changed', source: 'auth', data: { userId, role: 'editor' } });
  } finally {
    redis.disconnect();
  }

  // Setting the role it already has changes nothing and announces nothing.
  t.is((await api('PUT', `/api/admin/users/${target.username}/role`, { token, body: { role: 'editor' } })).status, 200);
  t.is((await outboxEvents('user.role_changed', userId)).length, 1);
  t.is((await api('PUT', `/api/admin/users/${target.username}/role`, { token, body: { role: 'user' } })).status, 200);
  t.deepEqual((await outboxEvents('user.role_changed', userId)).map((e) => e.payload.role), ['editor', 'user']);
});
