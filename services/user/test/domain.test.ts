import test from 'ava';
import { commentedActivity, reactedActivity } from '../src/domain/activity.js';
import { commentNotifications, followerNotifications, reactionNotifications } from '../src/domain/notifications.js';
import { DEFAULT_PREFERENCES, mergePreferences } from '../src/domain/preferences.js';
import { canFollow, normalizeProfileChanges } from '../src/domain/profile.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const comment = (authorId: string, articleAuthorId: string, parentAuthorId: string | null = null) => ({
  commentId: 'c', articleId: 'a', articleAuthorId, authorId, parentId: parentAuthorId ? 'p' : null, parentAuthorId,
});

test('a comment notifies the article author, a reply the parent author too, each once and never the commenter', (t) => {
  t.deepEqual(commentNotifications(comment(B, A)).map((d) => [d.recipientId, d.kind]), [[A, 'comment']]);
  t.deepEqual(commentNotifications(comment(C, A, B)).map((d) => [d.recipientId, d.kind]), [[B, 'reply'], [A, 'comment']]);
  t.deepEqual(commentNotifications(comment(B, A, A)).map((d) => [d.recipientId, d.kind]), [[A, 'reply']], 'the author of both hears once');
  t.deepEqual(commentNotifications(comment(A, A)), [], 'own article');
  t.deepEqual(commentNotifications(comment(A, A, B)).map((d) => d.recipientId), [B], 'replying on your own article');
  t.deepEqual(commentNotifications(comment(B, A, B)).map((d) => d.recipientId), [A], 'replying to yourself');
});

test('reactions and follows notify their target, never the actor', (t) => {
  const reaction = { kind: 'like', userId: B, targetType: 'comment' as const, targetId: 'c1', articleId: 'a', targetAuthorId: A };
  t.like(reactionNotifications(reaction), [{ recipientId: A, kind: 'reaction', actorId: B, commentId: 'c1', reaction: 'like' }]);
  t.deepEqual(reactionNotifications({ ...reaction, userId: A }), []);
  t.like(reactedActivity(reaction), { userId: B, kind: 'reacted', articleId: 'a', targetType: 'comment', commentId: 'c1' });
  t.like(followerNotifications({ followerId: B, followeeId: A }), [{ recipientId: A, kind: 'new_follower', actorId: B }]);
  t.deepEqual(followerNotifications({ followerId: A, followeeId: A }), []);
  t.like(commentedActivity(comment(B, A)), { userId: B, kind: 'commented', articleId: 'a' });
  t.like(reactionNotifications({ ...reaction, targetType: 'article', targetId: 'a' }), [{ articleId: 'a', commentId: null }]);
});

test('preferences merge a partial change over the current ones without touching the defaults', (t) => {
  const merged = mergePreferences(DEFAULT_PREFERENCES, { notifications: { reactions: false, comments: undefined }, language: 'fr' });
  t.deepEqual(merged, { notifications: { newPosts: true, comments: true, reactions: false, followers: true }, emailDigest: false, language: 'fr' });
  t.true(DEFAULT_PREFERENCES.notifications.reactions);
  t.deepEqual(mergePreferences(merged, {}), merged);
});

test('profile changes: "" clears a field, absent fields stay; nobody follows themselves', (t) => {
  t.deepEqual(normalizeProfileChanges({ bio: '', image: undefined }), { bio: null });
  t.deepEqual(normalizeProfileChanges({ image: 'x' }), { image: 'x' });
  t.false(canFollow(A, A));
  t.true(canFollow(A, B));
});
