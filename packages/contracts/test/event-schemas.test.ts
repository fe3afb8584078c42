import test from 'ava';
import { eventSchemas, isTopic, parseEventData, PUBLISHER_OF, TOPICS } from '../src/index.js';

const uuid = '7d3c1f4e-9a6b-4c2d-8e1f-0a1b2c3d4e5f';

test('every topic has exactly one schema and one publisher', (t) => {
  t.deepEqual(Object.keys(PUBLISHER_OF).sort(), [...TOPICS].sort());
  t.is(TOPICS.length, 15);
  t.true(isTopic('post.published'));
  t.false(isTopic('toString'));
  t.false(isTopic('__proto__'));
});

test('a payload as its publisher writes it parses; extra fields are dropped, so publishers may add fields', (t) => {
  const parsed = parseEventData('comment.created', {
    commentId: '12', articleId: uuid, articleAuthorId: uuid, authorId: uuid, parentId: null, parentAuthorId: null, addedLater: 1,
  });
  t.deepEqual(parsed, { ok: true, data: { commentId: '12', articleId: uuid, articleAuthorId: uuid, authorId: uuid, parentId: null, parentAuthorId: null } });
});

test('a payload that does not match says where', (t) => {
  const parsed = parseEventData('user.role_changed', { userId: uuid, role: 'root' });
  t.false(parsed.ok);
  if (!parsed.ok) t.regex(parsed.error, /^role: /);
  t.false(parseEventData('session.revoked', { userId: uuid, sessionIds: 'all', reason: 'logout' }).ok);
  t.false(parseEventData('user.registered', null).ok);
});

test('the schemas carry a description for the AsyncAPI document', (t) => {
  for (const topic of TOPICS) t.truthy(eventSchemas[topic].description, topic);
});
