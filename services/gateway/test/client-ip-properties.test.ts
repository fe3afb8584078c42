import test from 'ava';
import fc from 'fast-check';
import { clientIp, parseTrustedProxies } from '../src/domain/client-ip.js';

/**
 * The gateway's client address over generated X-Forwarded-For chains (fast-check): a client can write anything
 * into the header, and what the gateway believes must still be the right-most hop its trusted proxies did not add.
 */
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const proxies = ['10.0.0.1', '10.0.0.2'];
const trusted = parseTrustedProxies(`${proxies.join(',')},172.16.0.0/12`);
const dockerAddress = fc.tuple(fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)).map(([b, c, d]) => `172.${b}.${c}.${d}`);
const untrustedIp = ipv4.filter((ip) => !trusted.has(ip));
const trustedHop = fc.oneof(fc.constantFrom(...proxies), dockerAddress);
const junk = fc.string({ unit: 'binary', maxLength: 30 });

test('from a peer that is not a trusted proxy, X-Forwarded-For is ignored whatever it says', (t) => {
  fc.assert(
    fc.property(untrustedIp, fc.option(junk, { nil: undefined }), (peer, header) => {
      t.is(clientIp(peer, header, trusted), peer);
      t.is(clientIp(`::ffff:${peer}`, header, trusted), peer, 'an IPv4-mapped peer is the IPv4 address');
    }),
  );
});

test('behind trusted proxies, the client is the right-most hop they did not add; anything the client prepends is ignored', (t) => {
  fc.assert(
    fc.property(fc.array(junk.map((s) => s.replace(/,/g, '')), { maxLength: 4 }), untrustedIp, fc.array(trustedHop, { maxLength: 3 }), trustedHop, (forged, client, hops, peer) => {
      const header = [...forged, client, ...hops].join(', ');
      t.is(clientIp(peer, header, trusted), client, header);
    }),
  );
});

test('a chain of trusted hops only falls back to its left-most entry; a missing header to the peer', (t) => {
  fc.assert(
    fc.property(fc.array(trustedHop, { minLength: 1, maxLength: 4 }), trustedHop, (hops, peer) => {
      t.is(clientIp(peer, hops.join(','), trusted), hops[0]!);
      t.is(clientIp(peer, undefined, trusted), peer);
    }),
  );
});

test('IPv4 ranges: an address is trusted exactly when its leading bits match', (t) => {
  fc.assert(
    fc.property(ipv4, fc.integer({ min: 0, max: 32 }), ipv4, (base, bits, ip) => {
      const toInt = (a: string) => a.split('.').reduce((n, p) => ((n << 8) | Number(p)) >>> 0, 0);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      const inRange = ((toInt(ip) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
      t.is(parseTrustedProxies(`${base}/${bits}`).has(ip), inRange, `${ip} in ${base}/${bits}`);
    }),
  );
});

test('a malformed range stops start-up instead of trusting something else', (t) => {
  for (const bad of ['10.0.0.0/33', '300.0.0.0/8', 'fe80::/10', 'x/8']) t.throws(() => parseTrustedProxies(bad), undefined, bad);
});
