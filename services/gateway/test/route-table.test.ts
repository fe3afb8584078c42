import test from 'ava';
import { ownerOf } from '../src/domain/route-table.js';

test('each public path is owned by one service', (t) => {
  t.is(ownerOf('/api/users'), 'auth');
  t.is(ownerOf('/api/users/login'), 'auth');
  t.is(ownerOf('/api/user'), 'auth');
  t.is(ownerOf('/api/user/sessions'), 'auth');
  t.is(ownerOf('/api/user/preferences'), 'user');
  t.is(ownerOf('/api/user/notifications/unread-count'), 'user');
  t.is(ownerOf('/api/profiles/jake/follow'), 'user');
  t.is(ownerOf('/api/articles/feed'), 'blog');
  t.is(ownerOf('/api/tags'), 'blog');
  t.is(ownerOf('/api/categories/news'), 'blog');
  t.is(ownerOf('/api/userx'), undefined);
  t.is(ownerOf('/internal/anything'), undefined);
});
