import test from 'ava';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import { parseSigningKey, signAccessToken } from '../src/domain/access-token.js';
import { parsePublicKeys, toJwks } from '../src/domain/jwks.js';

const keyPair = (kid: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    signing: parseSigningKey(JSON.stringify({ kid, alg: 'ES256', privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) })),
    entry: { kid, alg: 'ES256', publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() },
  };
};
const options = { issuer: 'iss', audience: 'aud', ttlSeconds: 900 };
const claims = { sub: 'u1', sid: 's1', username: 'jake', role: 'user' as const };

test('during a key rotation the JWKS lists old and new keys, and tokens of both verify with the key their kid names', async (t) => {
  const old = keyPair('k-old');
  const current = keyPair('k-new');
  const jwks = toJwks(parsePublicKeys(JSON.stringify([current.entry, old.entry])));
  t.deepEqual(jwks.keys.map((k) => k.kid), ['k-new', 'k-old']);
  for (const pair of [old, current]) {
    const token = await signAccessToken(pair.signing, claims, options);
    const { kid } = jsonwebtoken.decode(token, { complete: true })!.header;
    const jwk = jwks.keys.find((k) => k.kid === kid)!;
    t.notThrows(() => jsonwebtoken.verify(token, createPublicKey({ key: { ...jwk }, format: 'jwk' }), { algorithms: ['ES256'], issuer: 'iss', audience: 'aud' }));
  }
  // A token signed by a key that is no longer listed finds no key.
  const retired = await signAccessToken(keyPair('k-retired').signing, claims, options);
  t.falsy(jwks.keys.find((k) => k.kid === jsonwebtoken.decode(retired, { complete: true })!.header.kid));
});

test('JWKS entries carry only the public parameters', async (t) => {
  const [jwk] = toJwks([keyPair('k1').entry as never]).keys;
  t.deepEqual(Object.keys(jwk!).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  t.like(jwk, { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
});

test('a malformed jwt-public-keys secret stops start-up with a clear message', async (t) => {
  t.throws(() => parsePublicKeys('[]'), { message: /non-empty/ });
  t.throws(() => parsePublicKeys(JSON.stringify([{ kid: 'k', alg: 'RS256', publicKeyPem: 'x' }])), { message: /alg "ES256"/ });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
  t.throws(() => toJwks([{ kid: 'r', alg: 'ES256', publicKeyPem: rsa }]), { message: /P-256/ });
});
