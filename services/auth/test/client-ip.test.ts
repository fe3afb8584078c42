import test from 'ava';
import { clientIp, sourceKey } from '../src/domain/client-ip.js';

test('the client address is the gateway’s X-Forwarded-For entry (the first; daprd appends behind it), and only from the gateway', (t) => {
  t.is(clientIp('198.51.100.7', true), '198.51.100.7');
  t.is(clientIp('198.51.100.7, 127.0.0.1', true), '198.51.100.7', 'hops appended by the sidecars');
  t.is(clientIp('198.51.100.7', false), 'unknown', 'another caller could write anything');
  t.is(clientIp(undefined, true), 'unknown');
  t.is(clientIp('not an address', true), 'unknown');
  t.is(clientIp(', 198.51.100.7', true), 'unknown', 'an empty first entry is not skipped');
  t.is(clientIp('1.2.3.4.5', true), 'unknown');
});

test('an IPv6 client is one source per /64, however it writes or rotates its address', (t) => {
  const key = '2001:db8:1:2::/64';
  t.is(clientIp('2001:DB8:1:2::1', true), key);
  t.is(sourceKey('2001:0db8:0001:0002:ffff:0:0:9'), key, 'another address of the same /64, written long-hand');
  t.is(sourceKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), key);
  t.not(sourceKey('2001:db8:1:3::1'), key, 'the next /64 is another source');
  t.is(sourceKey('::ffff:198.51.100.7'), '198.51.100.7', 'IPv4-mapped is the IPv4 client');
  t.is(sourceKey('::1'), '0:0:0:0::/64');
  t.is(sourceKey('fe80::1%eth0'), undefined);
});
