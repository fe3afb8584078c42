import { createPublicKey } from 'node:crypto';

/** One entry of the `jwt-public-keys` secret: every key whose tokens are still accepted (rotation keeps old ones). */
export interface PublicKeyEntry {
  kid: string;
  alg: 'ES256';
  publicKeyPem: string;
}

export interface Jwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export function parsePublicKeys(json: string): PublicKeyEntry[] {
  const list = JSON.parse(json) as Partial<PublicKeyEntry>[];
  if (!Array.isArray(list) || list.length === 0) throw new Error('jwt-public-keys must be a non-empty JSON array');
  return list.map((k) => {
    if (!k.kid || k.alg !== 'ES256' || !k.publicKeyPem) throw new Error('each jwt-public-keys entry needs kid, alg "ES256" and publicKeyPem');
    return { kid: k.kid, alg: 'ES256', publicKeyPem: k.publicKeyPem };
  });
}

/** The JSON Web Key Set (RFC 7517) for the accepted public keys. */
export function toJwks(keys: PublicKeyEntry[]): { keys: Jwk[] } {
  return {
    keys: keys.map((k) => {
      const jwk = createPublicKey(k.publicKeyPem).export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string };
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new Error(`key ${k.kid} is not a P-256 key (ES256)`);
      return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: k.kid, alg: 'ES256', use: 'sig' };
    }),
  };
}
