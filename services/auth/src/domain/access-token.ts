import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';

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

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs a JWT access token (ES256, kid in the header) that expires `ttlSeconds` after now, or at `expiresAt`
 * (seconds since the epoch: a session token ends with its session).
 */
export function signAccessToken(
  key: SigningKey,
  claims: AccessClaims,
  options: { issuer: string; audience: string; ttlSeconds?: number; expiresAt?: number; now?: number },
): string {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const exp = options.expiresAt ?? iat + (options.ttlSeconds ?? 0);
  if (!(exp > iat)) throw new Error('an access token must expire after it is issued');
  const header = b64url({ alg: key.alg, typ: 'JWT', kid: key.kid });
  const payload = b64url({ ...claims, iss: options.issuer, aud: options.audience, iat, exp, jti: randomUUID() });
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${signature.toString('base64url')}`;
}
