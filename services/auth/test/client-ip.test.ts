import test from 'ava';
import { clientIp } from '../src/domain/client-ip.js';

test('the client address is the gateway’s X-Forwarded-For entry (the first; daprd appends behind it), and only from the gateway', (t) => {
  t.is(clientIp('198.51.100.7', true), '198.51.100.7');
  t.is(clientIp('198.51.100.7, 127.0.0.1', true), '198.51.100.7', 'hops appended by the sidecars');
  t.is(clientIp('2001:DB8::1', true), '2001:db8::1');
  t.is(clientIp('198.51.100.7', false), 'unknown', 'another caller could write anything');
  t.is(clientIp(undefined, true), 'unknown');
  t.is(clientIp('not an address', true), 'unknown');
});
