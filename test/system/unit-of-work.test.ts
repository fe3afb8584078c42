import test from 'ava';
import { randomUUID } from 'node:crypto';
import { relayHooks, UnitOfWork } from '@vcd/messaging';
import { scratchSchema } from '../support/messaging/scratch-schema.js';

// The unit of work against real Postgres: the change and its events commit together, or neither does, and the
// relays hear of it only after commit.

const db = scratchSchema('uow_test');
test.before(() => db.create([`create table note (id uuid primary key, text text not null)`]));
test.after.always(() => db.drop());

const authorId = '7d3c1f4e-9a6b-4c2d-8e1f-0a1b2c3d4e5f';

test('a committed change writes its events to the outbox in the same transaction, then wakes the relays once', async (t) => {
  const orm = await db.orm();
  t.teardown(() => orm.close());
  const woken: string[] = [];
  const uow = new UnitOfWork(() => orm.em.fork(), relayHooks({ relays: [{ notify: () => woken.push('relay') }], onCommit: () => woken.push('onCommit') }));
  const noteId = randomUUID();
  const eventId = await uow.run(async (tx, events) => {
    await tx.execute(`insert into note (id, text) values (?, 'hello')`, [noteId]);
    return events.emit('post.deleted', { articleId: noteId, authorId, version: 1 });
  });
  t.deepEqual(woken, ['onCommit', 'relay']);
  t.deepEqual(await db.sql(`select text from note where id = $1`, [noteId]), [{ text: 'hello' }]);
  const [row] = await db.sql<{ topic: string; payload: unknown; published_at: Date | null }>(`select topic, payload, published_at from outbox where id = $1`, [eventId]);
  t.deepEqual(row, { topic: 'post.deleted', payload: { articleId: noteId, authorId, version: 1 }, published_at: null });
});

test('a change that fails writes neither its rows nor its events, and wakes nobody', async (t) => {
  const orm = await db.orm();
  t.teardown(() => orm.close());
  let woken = 0;
  const uow = new UnitOfWork(() => orm.em.fork(), relayHooks({ relays: [{ notify: () => woken++ }] }));
  const noteId = randomUUID();
  await t.throwsAsync(
    uow.run(async (tx, events) => {
      await tx.execute(`insert into note (id, text) values (?, 'doomed')`, [noteId]);
      events.emit('post.deleted', { articleId: noteId, authorId, version: 1 });
      throw new Error('rule broken');
    }),
    { message: 'rule broken' },
  );
  t.is(woken, 0);
  t.deepEqual(await db.sql(`select id from note where id = $1`, [noteId]), []);
  t.deepEqual(await db.sql(`select id from outbox where payload->>'articleId' = $1`, [noteId]), []);
});

test('a change without events wakes nobody; urgent events are handed to publishNow after commit', async (t) => {
  const orm = await db.orm();
  t.teardown(() => orm.close());
  const urgent: string[] = [];
  let woken = 0;
  const uow = new UnitOfWork(() => orm.em.fork(), relayHooks({ relays: [{ notify: () => woken++ }], publishNow: async (id) => void urgent.push(id) }));
  await uow.run(async (tx) => void (await tx.execute(`insert into note (id, text) values (?, 'quiet')`, [randomUUID()])));
  t.is(woken, 0);
  const id = await uow.run(async (_tx, events) => {
    events.emit('post.deleted', { articleId: randomUUID(), authorId, version: 1 });
    return events.emit('session.revoked', { userId: authorId, sessionIds: [], reason: 'logout' }, { urgent: true });
  });
  t.deepEqual(urgent, [id]);
  t.is(woken, 1);
});
