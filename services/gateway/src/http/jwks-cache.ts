import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Sidecar } from '@vcd/dapr';
import type { Logger } from '@vcd/logging';

export interface VerificationKey {
  kid: string;
  pem: string;
  key: KeyObject;
}

/**
 * The auth service's public keys (JWKS, fetched through Dapr), cached. An unknown `kid` triggers a refresh
 * (a rotation happened), at most once per `minRefreshMs`, so forged kids cannot hammer the auth service.
 */
export class JwksCache {
  private keys = new Map<string, VerificationKey>();
  private lastFetch = 0;
  private inflight?: Promise<void>;

  constructor(
    private readonly sidecar: Sidecar,
    private readonly logger: Logger,
    private readonly minRefreshMs = 10_000,
  ) {}

  async refresh(): Promise<void> {
    this.inflight ??= (async () => {
      try {
        const res = await this.sidecar.invoke('auth', 'internal/jwks', { signal: AbortSignal.timeout(3000) });
        if (!res.ok) throw new Error(`auth answered ${res.status}`);
        const { keys } = (await res.json()) as { keys: (JsonWebKey & { kid?: string; alg?: string; use?: string })[] };
        const next = new Map<string, VerificationKey>();
        for (const jwk of keys ?? []) {
          if (!jwk.kid || jwk.alg !== 'ES256' || (jwk.use && jwk.use !== 'sig')) continue;
          const key = createPublicKey({ key: jwk, format: 'jwk' });
          next.set(jwk.kid, { kid: jwk.kid, key, pem: key.export({ format: 'pem', type: 'spki' }).toString() });
        }
        this.keys = next;
        this.lastFetch = Date.now();
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }

  /** The key for `kid`, refreshing once if it is unknown. */
  async get(kid: string): Promise<VerificationKey | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    if (Date.now() - this.lastFetch >= this.minRefreshMs) {
      await this.refresh().catch((err: Error) => this.logger.warn({ err }, 'JWKS refresh failed'));
    }
    return this.keys.get(kid);
  }

  get size(): number {
    return this.keys.size;
  }
}
