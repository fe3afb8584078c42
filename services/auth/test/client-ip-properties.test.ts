import test from 'ava';
import fc from 'fast-check';
import { clientIp } from '../src/domain/client-ip.js';
import { hashOpaqueToken, newOpaqueToken } from '../src/domain/opaque-token.js';

/** auth's view of the client address (the gateway's first X-Forwarded-For entry) and its opaque tokens, over generated inputs. */
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const junk = fc.string({ unit: 'binary', maxLength: 40 });

test('only the gateway’s header is believed: from anyone else every request is "unknown"', (t) => {
  fc.assert(fc.property(fc.option(junk, { nil: undefined }), (header) => t.is(clientIp(header, false), 'unknown')));
});

test('the first entry is the gateway’s: hops daprd appends behind it change nothing', (t) => {
  fc.assert(fc.property(ipv4, fc.array(fc.oneof(ipv4, junk), { maxLength: 3 }), (ip, behind) => t.is(clientIp([ip, ...behind].join(', '), true), ip)));
});

test('whatever the header holds, the key is an address, an IPv6 /64 or "unknown", never the raw text', (t) => {
  fc.assert(
    fc.property(junk, (header) => {
      const key = clientIp(header, true);
      t.true(key === 'unknown' || /^(\d{1,3}\.){3}\d{1,3}$/.test(key) || /^([0-9a-f]{1,4}:){4}:\/64$/.test(key), `${JSON.stringify(header)} → ${key}`);
    }),
  );
});

test('an opaque token is 256 random bits; only its hash is kept, and the hash is a function of the token alone', (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const { token, hash } = newOpaqueToken();
    t.regex(token, /^[A-Za-z0-9_-]{43}$/);
    t.is(hash, hashOpaqueToken(token));
    t.not(hash, token);
    t.false(seen.has(token));
    seen.add(token);
  }
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => t.is(hashOpaqueToken(a) === hashOpaqueToken(b), a === b)));
});
