import { KeyObject } from 'node:crypto';
import { createRemoteJWKSet } from 'jose';
import type { Sidecar } from '@vcd/dapr';

/** The auth service's token-verification keys, as the gateway's token check asks for them. */
export interface AuthKeys {
  /** The public key (PEM) a token header names (ES256 and a `kid` only); rejects an unknown or unusable key. */
  keyFor(header: { kid?: string; alg?: string }): Promise<string>;
  /** Fetches the key set now (start-up); later fetches happen on their own. */
  load(): Promise<void>;
}

/**
 * The auth service's JWKS, fetched through the gateway's sidecar (Dapr invocation of auth's internal/jwks) by
 * jose's remote key set: cached for `maxAgeMs`; a token naming an unknown `kid` (a rotation) refetches, but at most
 * once per `cooldownMs`, so forged kids cannot hammer the auth service.
 */
export function authKeys(sidecar: Sidecar, options: { cooldownMs?: number; maxAgeMs?: number; timeoutMs?: number } = {}): AuthKeys {
  const keySet = createRemoteJWKSet(new URL(sidecar.invokeUrl('auth', 'internal/jwks')), {
    headers: { 'dapr-api-token': sidecar.options.apiToken },
    timeoutDuration: options.timeoutMs ?? 3000,
    cooldownDuration: options.cooldownMs ?? 10_000,
    cacheMaxAge: options.maxAgeMs ?? 10 * 60_000,
  });
  // jose hands back the same key object for a kid until the set changes: its PEM (what koa-jwt's verifier takes)
  // is made once per key.
  const pems = new WeakMap<object, string>();
  return {
    async keyFor(header) {
      if (header.alg !== 'ES256' || !header.kid) throw new Error('unsupported token header');
      const key = await keySet({ alg: header.alg, kid: header.kid });
      let pem = pems.get(key);
      if (!pem) {
        pem = (key instanceof KeyObject ? key : KeyObject.from(key)).export({ format: 'pem', type: 'spki' }).toString();
        pems.set(key, pem);
      }
      return pem;
    },
    load: () => keySet.reload(),
  };
}
