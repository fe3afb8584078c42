import test from 'ava';
import fc from 'fast-check';
import { AppError } from '@vcd/errors';
import { assertSafeText, isSafeText, sourceKey, unsafeTextFields } from '../src/index.js';

/** Properties of the pure helpers every service and the gateway share, over generated inputs (fast-check). */

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const group = fc.nat(0xffff);
const groups = fc.array(group, { minLength: 8, maxLength: 8 });
/** The same eight groups spelled three ways: full with leading zeros, upper-case, and with the longest zero run as ::. */
const spellings = (g: number[]) => {
  const full = g.map((x) => x.toString(16).padStart(4, '0')).join(':');
  const plain = g.map((x) => x.toString(16)).join(':');
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const compressed =
    best.len >= 2 ? `${g.slice(0, best.at).map((x) => x.toString(16)).join(':')}::${g.slice(best.at + best.len).map((x) => x.toString(16)).join(':')}` : plain;
  return [full, full.toUpperCase(), compressed];
};

test('sourceKey: an IPv4 address is its own key, also IPv4-mapped in IPv6', (t) => {
  fc.assert(
    fc.property(ipv4, (ip) => {
      t.is(sourceKey(ip), ip);
      t.is(sourceKey(`::ffff:${ip}`), ip);
      t.is(sourceKey(`::FFFF:${ip}`), ip);
    }),
  );
});

test('sourceKey: an IPv6 address is keyed by its /64, however it is spelled', (t) => {
  fc.assert(
    fc.property(groups, fc.array(group, { minLength: 4, maxLength: 4 }), (g, otherHost) => {
      if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) return; // IPv4-mapped
      const keys = new Set(spellings(g).map(sourceKey));
      t.is(keys.size, 1, spellings(g).join(' '));
      const [key] = [...keys];
      t.regex(key!, /^([0-9a-f]{1,4}:){4}:\/64$/);
      t.is(sourceKey(spellings([...g.slice(0, 4), ...otherHost])[0]!), key, 'the rest of the address does not matter');
    }),
  );
});

test('sourceKey: anything that is not an address has no key, and nothing throws', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
      const key = sourceKey(s);
      t.true(key === undefined || /^(\d+\.){3}\d+$/.test(key) || key.endsWith('::/64'), `${JSON.stringify(s)} → ${key}`);
    }),
  );
  for (const s of ['', 'unknown', '1.2.3', '1.2.3.256', 'fe80::1%eth0', `${'1:'.repeat(40)}1`]) t.is(sourceKey(s), undefined, s);
});

const safeString = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !s.includes('\u0000'));
const loneSurrogate = fc.oneof(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff })).map((c) => String.fromCharCode(c));
const unsafe = fc.oneof(fc.constant('\u0000'), loneSurrogate);

test('text safety: any well-formed text without NUL is safe, also astral characters (paired surrogates)', (t) => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 40 }).filter((s) => !s.includes('\u0000')), (s) => t.true(isSafeText(s))));
  t.true(isSafeText('😀 𝄞 𠀋'));
});

test('text safety: NUL or a lone surrogate anywhere makes a string unsafe', (t) => {
  fc.assert(
    fc.property(safeString, unsafe, safeString, (before, bad, after) => {
      // A high surrogate followed by a low one would be a pair: keep the bad one lone.
      const s = `${before}${bad}${/^[\udc00-\udfff]/.test(after) ? `x${after}` : after}`;
      if (/[\ud800-\udbff]$/.test(before) && /^[\udc00-\udfff]/.test(bad)) return;
      t.false(isSafeText(s), JSON.stringify(s));
    }),
  );
});

test('text safety: every unsafe field of a nested body is named once, without the RealWorld envelope', (t) => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(safeString, unsafe.map((u) => `x${u}`)), { minKeys: 1, maxKeys: 6 }),
      (fields) => {
        const bad = Object.entries(fields).filter(([, v]) => !isSafeText(v)).map(([k]) => k).sort();
        t.deepEqual(unsafeTextFields({ article: fields }, true).sort(), bad);
        t.deepEqual(unsafeTextFields({ article: fields }).sort(), bad.map((k) => `article.${k}`));
        if (bad.length === 0) {
          t.notThrows(() => assertSafeText({ body: { article: fields } }));
        } else {
          const error = t.throws(() => assertSafeText({ body: { article: fields } }), { instanceOf: AppError });
          t.is(error?.status, 422);
        }
      },
    ),
    { numRuns: 200 },
  );
});
