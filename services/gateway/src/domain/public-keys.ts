import { createPublicKey, type KeyObject } from 'node:crypto';

export interface PublicKeyEntry {
  kid: string;
  alg: 'ES256';
  key: KeyObject;
  pem: string;
}

/** Parses the `jwt-public-keys` secret: [{kid, alg, publicKeyPem}] (several during a key rotation). */
export function parsePublicKeys(json: string): Map<string, PublicKeyEntry> {
  const list = JSON.parse(json) as { kid?: string; alg?: string; publicKeyPem?: string }[];
  if (!Array.isArray(list) || list.length === 0) throw new Error('jwt-public-keys must be a non-empty JSON array');
  const keys = new Map<string, PublicKeyEntry>();
  for (const k of list) {
    if (!k.kid || k.alg !== 'ES256' || !k.publicKeyPem) throw new Error('each jwt-public-keys entry needs kid, alg "ES256" and publicKeyPem');
    keys.set(k.kid, { kid: k.kid, alg: 'ES256', key: createPublicKey(k.publicKeyPem), pem: k.publicKeyPem });
  }
  return keys;
}
