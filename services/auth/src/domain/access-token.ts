import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

export interface SigningKey {
  kid: string;
  alg: 'ES256';
  privateKey: KeyObject;
}

export interface AccessClaims {
  sub: string;
  sid: string;
  username: string;
  role: 'user' | 'editor' | 'admin';
}

export const parseSigningKey = (json: string): SigningKey => {
  const raw = JSON.parse(json) as { kid?: string; alg?: string; privateKeyPem?: string };
  if (!raw.kid || raw.alg !== 'ES256' || !raw.privateKeyPem) throw new Error('jwt-signing-key must be {kid, alg: "ES256", privateKeyPem}');
  return { kid: raw.kid, alg: 'ES256', privateKey: createPrivateKey(raw.privateKeyPem) };
};

/**
 * Signs a JWT access token (ES256 with jose, kid in the header) that expires `ttlSeconds` after now, or at
 * `expiresAt` (seconds since the epoch: a session token ends with its session).
 */
export async function signAccessToken(
  key: SigningKey,
  claims: AccessClaims,
  options: { issuer: string; audience: string; ttlSeconds?: number; expiresAt?: number; now?: number },
): Promise<string> {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const exp = options.expiresAt ?? iat + (options.ttlSeconds ?? 0);
  if (!(exp > iat)) throw new Error('an access token must expire after it is issued');
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(key.privateKey);
}
