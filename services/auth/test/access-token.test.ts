import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import { parseSigningKey, signAccessToken } from '../src/domain/access-token.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const key = parseSigningKey(JSON.stringify({ kid: 'k1', alg: 'ES256', privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) }));
const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

test('access tokens are ES256 JWTs with kid and the claims the gateway checks', async (t) => {
  const token = await signAccessToken(key, { sub: 'u1', sid: 's1', username: 'jake', role: 'user' }, { issuer: 'iss', audience: 'aud', ttlSeconds: 900 });
  const decoded = jsonwebtoken.verify(token, pem, { algorithms: ['ES256'], issuer: 'iss', audience: 'aud', complete: true });
  t.is(decoded.header.kid, 'k1');
  t.like(decoded.payload as object, { sub: 'u1', sid: 's1', username: 'jake', role: 'user', iss: 'iss', aud: 'aud' });
  const p = decoded.payload as { exp: number; iat: number; jti: string };
  t.is(p.exp - p.iat, 900);
  t.truthy(p.jti);
});

test('an expired token does not verify', async (t) => {
  const token = await signAccessToken(key, { sub: 'u1', sid: 's1', username: 'jake', role: 'user' }, { issuer: 'iss', audience: 'aud', ttlSeconds: 60, now: Date.now() - 3_600_000 });
  t.throws(() => jsonwebtoken.verify(token, pem, { algorithms: ['ES256'] }), { any: true, name: 'TokenExpiredError' });
});

test('a session token expires exactly when its session may end at the latest, never before it is issued', async (t) => {
  const sessionEnd = Math.floor(Date.now() / 1000) + 90 * 86_400;
  const token = await signAccessToken(key, { sub: 'u1', sid: 's1', username: 'jake', role: 'user' }, { issuer: 'iss', audience: 'aud', expiresAt: sessionEnd });
  const p = jsonwebtoken.verify(token, pem, { algorithms: ['ES256'] }) as { exp: number };
  t.is(p.exp, sessionEnd);
  await t.throwsAsync(() => signAccessToken(key, { sub: 'u1', sid: 's1', username: 'jake', role: 'user' }, { issuer: 'iss', audience: 'aud', expiresAt: 1 }));
});
