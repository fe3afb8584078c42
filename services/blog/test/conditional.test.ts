import test from 'ava';
import { notModified } from '../src/http/conditional.js';

const v = { etag: '"abc"', lastModified: 'Sun, 29 Nov 2026 21:00:00 GMT' };

test('If-None-Match decides when present: exact, weak, in a list, or *', (t) => {
  t.true(notModified({ 'if-none-match': '"abc"' }, v));
  t.true(notModified({ 'if-none-match': 'W/"abc"' }, v));
  t.true(notModified({ 'if-none-match': '"x", "abc"' }, v));
  t.true(notModified({ 'if-none-match': '*' }, v));
  t.false(notModified({ 'if-none-match': '"abcd"' }, v));
  // RFC 9110: If-Modified-Since is ignored when If-None-Match is present, either way.
  t.false(notModified({ 'if-none-match': '"x"', 'if-modified-since': v.lastModified }, v));
  t.true(notModified({ 'if-none-match': '"abc"', 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' }, v));
});

test('If-Modified-Since alone: not modified when the representation is not newer; garbage means modified', (t) => {
  t.true(notModified({ 'if-modified-since': v.lastModified }, v));
  t.true(notModified({ 'if-modified-since': 'Mon, 30 Nov 2026 00:00:00 GMT' }, v));
  t.false(notModified({ 'if-modified-since': 'Sun, 29 Nov 2026 20:59:59 GMT' }, v));
  t.false(notModified({ 'if-modified-since': 'yesterday' }, v));
  t.false(notModified({}, v));
});

test("a request's Cache-Control: no-cache (what fetch() adds to conditional requests) does not stop a 304", (t) => {
  t.true(notModified({ 'if-none-match': '"abc"', 'cache-control': 'no-cache', pragma: 'no-cache' }, v));
});
