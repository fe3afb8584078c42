import test from 'ava';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createLogger } from '@vcd/logging';
import { buildApp } from '../src/app.js';
import { userDatabase } from '../src/db/orm.config.js';
import { throwawayDatabase, type ThrowawayDatabase } from '../../../test/support/component.js';

/**
 * The user service in-process against a migrated database of its own: auth's renames carry the account's identity version,
 * and however their deliveries are ordered (auth's relay publishes a batch concurrently, this service handles 32
 * deliveries at once), the profile ends with the newest name.
 */
const TOKEN = 'app-token-for-this-test';
const logger = createLogger('user-test', { level: 'silent' });

let db: ThrowawayDatabase;
let orm: MikroORM;
let server: Server;
let url: string;
test.before(async () => {
  db = await throwawayDatabase('user', userDatabase);
  orm = db.orm;
  server = buildApp({ orm, logger, appApiToken: TOKEN }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after.always(async () => {
  server?.close();
  await db?.drop();
});

const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) => orm.em.fork().execute(q, params) as Promise<T[]>;

/** Delivers an event as auth's sidecar would. */
async function deliver(topic: 'user.registered' | 'user.updated', data: Record<string, unknown>) {
  const res = await fetch(`${url}/events/${topic}`, {
    method: 'POST',
    headers: { 'dapr-api-token': TOKEN, 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({ specversion: '1.0', id: randomUUID(), source: 'auth', type: topic, datacontenttype: 'application/json', data }),
  });
  return ((await res.json()) as { status: string }).status;
}

const rename = (userId: string, username: string, version: number) => deliver('user.updated', { userId, username, email: `${username}@example.com`, version });
const nameOf = async (userId: string) => (await sql<{ username: string; identity_version: number }>('select username, identity_version from profile where id = ?', [userId]))[0];
const announced = async (userId: string) =>
  (await sql<{ username: string }>(`select payload->>'username' as username from outbox where topic = 'profile.updated' and payload->>'userId' = ? order by created_at`, [userId])).map(
    (r) => r.username,
  );

/** A profile as auth's synchronous call creates it at registration: no identity version applied yet (0). */
async function registered() {
  const userId = randomUUID();
  const base = `u${userId.slice(0, 8)}`;
  await sql('insert into profile (id, username) values (?, ?)', [userId, base]);
  return { userId, base };
}

test('when v2 of the identity arrives before v1, the profile keeps v2\'s name', async (t) => {
  const { userId, base } = await registered();
  t.is(await rename(userId, `${base}-v2`, 2), 'SUCCESS');
  t.is(await rename(userId, `${base}-v1`, 1), 'SUCCESS', 'the older rename is acknowledged (not retried forever)…');
  t.deepEqual(await nameOf(userId), { username: `${base}-v2`, identity_version: 2 }, '…but does not apply');
  t.deepEqual(await announced(userId), [`${base}-v2`], 'only the applied rename is announced (profile.updated)');
});

test('v1 then v2 apply in order: the profile ends with v2\'s name', async (t) => {
  const { userId, base } = await registered();
  t.is(await rename(userId, `${base}-v1`, 1), 'SUCCESS');
  t.is(await rename(userId, `${base}-v2`, 2), 'SUCCESS');
  t.deepEqual(await nameOf(userId), { username: `${base}-v2`, identity_version: 2 });
  t.deepEqual(await announced(userId), [`${base}-v1`, `${base}-v2`]);
});

test('a redelivered rename of the version the profile holds changes nothing and announces nothing', async (t) => {
  const { userId, base } = await registered();
  t.is(await rename(userId, `${base}-v2`, 2), 'SUCCESS');
  t.is(await rename(userId, `${base}-v2`, 2), 'SUCCESS');
  t.deepEqual(await announced(userId), [`${base}-v2`]);
});

test('a rename that overtakes the registration creates the profile, and the late registration does not put the old name back', async (t) => {
  const userId = randomUUID();
  const base = `u${userId.slice(0, 8)}`;
  t.is(await rename(userId, `${base}-v2`, 2), 'SUCCESS');
  t.is(await deliver('user.registered', { userId, username: base, email: `${base}@example.com`, version: 1 }), 'SUCCESS');
  t.deepEqual(await nameOf(userId), { username: `${base}-v2`, identity_version: 2 });
});

test('two renames delivered at the same moment end with the newer name, whichever commits first', async (t) => {
  for (let round = 0; round < 5; round++) {
    const { userId, base } = await registered();
    const statuses = await Promise.all([rename(userId, `${base}-v3`, 3), rename(userId, `${base}-v2`, 2)]);
    // A concurrent first insert may lose a race and ask for a redelivery; the redelivery must not undo the newer name.
    for (const [i, status] of statuses.entries()) if (status === 'RETRY') await rename(userId, `${base}-v${3 - i}`, 3 - i);
    t.deepEqual(await nameOf(userId), { username: `${base}-v3`, identity_version: 3 }, `round ${round}`);
  }
});

test('a rename without a version (written before versions existed) applies only to a profile that never got a versioned one', async (t) => {
  const { userId, base } = await registered();
  t.is(await rename(userId, base, 1), 'SUCCESS');
  t.is(await deliver('user.updated', { userId, username: `${base}-legacy`, email: 'x@example.com' }), 'SUCCESS');
  t.is((await nameOf(userId))!.username, base, 'the versioned identity stands');
  const legacyId = randomUUID();
  await sql('insert into profile (id, username) values (?, ?)', [legacyId, `l${legacyId.slice(0, 8)}`]);
  t.is(await deliver('user.updated', { userId: legacyId, username: `l${legacyId.slice(0, 8)}-new`, email: 'y@example.com' }), 'SUCCESS');
  t.is((await nameOf(legacyId))!.username, `l${legacyId.slice(0, 8)}-new`);
});
