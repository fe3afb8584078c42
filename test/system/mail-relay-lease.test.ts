import test from 'ava';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@vcd/logging';
import { Sidecar } from '@vcd/dapr';
import { EmailBinding } from '../../services/auth/src/mail/email-binding.js';
import { MailRelay } from '../../services/auth/src/mail/mail-relay.js';
import { scratchSchema } from '../support/messaging/scratch-schema.js';
import { slowSidecar } from '../support/messaging/slow-sidecar.js';
import { stack } from '../support/stack.js';

// Auth's mail relay against real Postgres (a schema of its own in the auth database) and auth's real sidecar and
// SMTP binding (MailDev), behind a door that holds the binding call: no transaction or lock while a mail is sent.

const db = scratchSchema('mail_relay_test', 'auth');
const logger = createLogger('mail-relay-test', { level: 'silent' });

test.before(() =>
  db.create([
    `create table "mail_outbox" ("id" uuid not null primary key, "to_address" varchar(255) not null,
      "subject" varchar(255) not null, "body" text null, "created_at" timestamptz not null default now(),
      "next_attempt_at" timestamptz not null default now(), "sent_at" timestamptz null, "attempts" int not null default 0,
      "last_error" text null)`,
    `alter table "mail_outbox" add column "lease_until" timestamptz null, add column "lease_owner" varchar(128) null`,
  ]),
);
test.after.always(() => db.drop());

const insertMail = (id: string, lease?: { until: string; owner: string }) =>
  db.sql(`insert into mail_outbox (id, to_address, subject, body, lease_until, lease_owner) values ($1, $2, 'Lease test', 'Hello', now() + ($3)::interval, $4)`, [
    id,
    `lease-${id.slice(0, 8)}@example.test`,
    lease?.until ?? null,
    lease?.owner ?? null,
  ]);

async function relayBehindDoor(t: import('ava').ExecutionContext, app?: string) {
  const orm = await db.orm(app);
  t.teardown(() => orm.close());
  const auth = stack().apps.auth!;
  const door = await slowSidecar({ host: '127.0.0.1', port: auth.daprHttpPort });
  t.teardown(door.close);
  const binding = new EmailBinding(new Sidecar({ host: '127.0.0.1', httpPort: door.port, grpcPort: auth.daprGrpcPort, apiToken: auth.daprApiToken }));
  return { orm, door, relay: () => new MailRelay({ em: orm.em, binding, logger }, { leaseMs: 30_000 }) };
}

const sentTo = (door: { forwarded: { path: string; body: string; status: number }[] }) =>
  door.forwarded.filter((f) => f.path.startsWith('/v1.0/bindings/') && f.status < 300).map((f) => (JSON.parse(f.body) as { metadata: { emailTo: string } }).metadata.emailTo);

test.serial('while a mail is being sent the relay holds no transaction and no lock; then it is marked sent and its body dropped', async (t) => {
  const app = `mail-lease-${randomUUID().slice(0, 8)}`;
  const { door, relay: makeRelay } = await relayBehindDoor(t, app);
  const id = randomUUID();
  await insertMail(id);
  door.hold();
  const relay = makeRelay();
  relay.notify();
  await door.arrived();
  const sessions = await db.sql<{ state: string; xact_start: Date | null }>(`select state, xact_start from pg_stat_activity where application_name = $1`, [app]);
  t.true(sessions.length > 0);
  t.deepEqual(sessions.filter((s) => s.state !== 'idle' || s.xact_start !== null), [], JSON.stringify(sessions));
  const [leased] = await db.sql<{ lease_owner: string; sent: boolean }>(`select lease_owner, sent_at is not null as sent from mail_outbox where id = $1`, [id]);
  t.deepEqual(leased, { lease_owner: relay.owner, sent: false });
  door.release();
  await relay.stop();
  t.deepEqual(sentTo(door), [`lease-${id.slice(0, 8)}@example.test`]);
  const [done] = await db.sql(`select sent_at is not null as sent, body, attempts, lease_owner from mail_outbox where id = $1`, [id]);
  t.deepEqual(done, { sent: true, body: null, attempts: 1, lease_owner: null });
});

test.serial('a mail whose lease expired is sent by exactly one of several relays; one under a live lease is not', async (t) => {
  const { door, relay: makeRelay } = await relayBehindDoor(t);
  const expired = randomUUID();
  const live = randomUUID();
  await insertMail(expired, { until: '-1 second', owner: 'relay-that-died' });
  await insertMail(live, { until: '1 hour', owner: 'relay-still-working' });
  const relays = Array.from({ length: 5 }, makeRelay);
  await Promise.all(
    relays.map(async (r) => {
      r.notify();
      await r.stop();
    }),
  );
  t.deepEqual(sentTo(door), [`lease-${expired.slice(0, 8)}@example.test`]);
  const rows = await db.sql(`select id, sent_at is not null as sent from mail_outbox where id = any($1) order by sent`, [[expired, live]]);
  t.deepEqual(rows, [{ id: live, sent: false }, { id: expired, sent: true }]);
});

test.serial('retention: sent mails past their age are deleted by the relay\'s periodic work; recent and unsent ones stay', async (t) => {
  const orm = await db.orm();
  t.teardown(() => orm.close());
  const ids = { oldSent: randomUUID(), recentSent: randomUUID(), oldUnsent: randomUUID() };
  const add = (id: string, created: string, sent: string | null) =>
    db.sql(
      `insert into mail_outbox (id, to_address, subject, body, created_at, sent_at, next_attempt_at)
       values ($1, 'x@example.test', 's', null, now() - ($2)::interval, now() - ($3)::interval, now() + interval '1 hour')`,
      [id, created, sent],
    );
  await add(ids.oldSent, '9 days', '8 days');
  await add(ids.recentSent, '2 days', '1 day');
  await add(ids.oldUnsent, '30 days', null);
  const binding = new EmailBinding(new Sidecar({ host: '127.0.0.1', httpPort: 1, grpcPort: 1, apiToken: 'x'.repeat(16) }));
  const relay = new MailRelay({ em: orm.em, binding, logger }, { retentionMs: 7 * 86_400_000 });
  relay.notify();
  await relay.stop();
  const left = (await db.sql<{ id: string }>(`select id from mail_outbox where id = any($1)`, [Object.values(ids)])).map((r) => r.id).sort();
  t.deepEqual(left, [ids.recentSent, ids.oldUnsent].sort());
});
