import test from 'ava';
import { randomUUID } from 'node:crypto';
import { MAX_EVENT_BYTES } from '@vcd/dapr';
import { eventually, notificationsOf, publishAs, query, registerUser, streamEntries } from '../../services/user/test/support/user-stack.js';
import { stack } from '../support/stack.js';

// Attacker's notebook: I can get a service to publish (or I hold a sidecar's app API token). Can a huge CloudEvent
// make a consumer buffer and parse megabytes, or retry it for ever? Control: the subscription routes of @vcd/dapr
// read at most MAX_EVENT_BYTES and answer DROP (dead letter) without parsing anything bigger.

test('an oversize event from its real publisher goes through the real sidecars to the dead letters, unapplied', async (t) => {
  const [author, commenter] = await Promise.all([registerUser('sz'), registerUser('sc')]);
  const articleId = randomUUID();
  const comment = (extra: Record<string, unknown> = {}) => ({
    commentId: '1', articleId, articleAuthorId: author.id, authorId: commenter.id, parentId: null, parentAuthorId: null, ...extra,
  });
  // A valid payload (consumers ignore unknown fields), only too big: were it parsed, it would notify the author.
  const huge = await publishAs('blog', 'comment.created', comment({ pad: 'x'.repeat(MAX_EVENT_BYTES + 1024) }));
  await eventually(async () => (await streamEntries('deadletter')).some((fields) => fields.join(' ').includes(huge)));
  t.deepEqual(await query('user', 'select 1 from inbox where event_id = $1', [huge]), []);
  t.deepEqual(await notificationsOf(author.id), []);

  // The same event at a normal size is applied: the limit, not a broken path, stopped the big one.
  const normal = await publishAs('blog', 'comment.created', comment({ commentId: '2' }));
  const notes = await eventually(async () => {
    const rows = await notificationsOf(author.id);
    return rows.length > 0 && rows;
  });
  t.deepEqual(notes.map((n) => n.event_id), [normal]);
});

test('a direct delivery to the gateway with its app API token and an oversize body is refused unread (DROP)', async (t) => {
  const gw = stack().apps.gateway!;
  const body = JSON.stringify({ specversion: '1.0', id: randomUUID(), source: 'auth', type: 'session.revoked', data: { pad: 'x'.repeat(MAX_EVENT_BYTES) } });
  const res = await fetch(`http://127.0.0.1:${gw.appPort}/events/session.revoked`, {
    method: 'POST',
    headers: { 'dapr-api-token': gw.appApiToken, 'content-type': 'application/cloudevents+json' },
    body,
  });
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { status: 'DROP' });
  // Without the token the same request never reaches the route.
  const anonymous = await fetch(`http://127.0.0.1:${gw.appPort}/events/session.revoked`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body });
  t.is(anonymous.status, 401);
});
