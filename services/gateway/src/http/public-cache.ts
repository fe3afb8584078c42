import type { Context, Next } from 'koa';
import { LRUCache } from 'lru-cache';
import { recordCacheLookup } from '@vcd/telemetry';
import { mayHaveWritten, sharedLifetimeMs } from '../domain/shared-cache-policy.js';
import type { UpstreamResponse } from './forward.js';
import { resolvedRoute } from './public-routes.js';

/** Answer headers a cached answer keeps: those the gateway passes on, less the upstream's own trace context. */
const KEPT_HEADERS = ['content-type', 'cache-control', 'etag', 'last-modified'];

interface Stored {
  status: number;
  headers: Map<string, string>;
  payload: Buffer;
  storedAt: number;
}

/**
 * The gateway as a shared cache for anonymous reads (ADR 19): an anonymous GET of a declared route whose upstream
 * answered `Cache-Control: public, s-maxage=N` (blog's public pages) is answered from memory for N seconds, without
 * the two sidecar hops. Rate limits, authentication and routing still run first for every request.
 *
 * - **A write shows at once** through this gateway: any unsafe request that was not refused as a client error
 *   empties the cache before its answer leaves, and a fetch that started before that write is neither kept nor
 *   shared with a reader who came after it. Writes through another replica (or the scheduler) show within N s.
 * - **One upstream fetch per page**: concurrent misses of a page share one call.
 * - Only anonymous requests without validators (If-None-Match, If-Modified-Since) are served from here; the key is
 *   the upstream target (owning app, the path rebuilt from the route, the raw query). Bounded by bytes.
 */
export class PublicResponseCache {
  private readonly entries: LRUCache<string, Stored>;
  private readonly inflight = new Map<string, { generation: number; answer: Promise<UpstreamResponse> }>();
  private generation = 0;

  constructor(
    private readonly capMs: number,
    maxBytes = 32 * 1024 * 1024,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new LRUCache({ maxSize: maxBytes, sizeCalculation: (s) => s.payload.length + 512, ttlResolution: 0, perf: { now } });
  }

  get enabled(): boolean {
    return this.capMs > 0;
  }

  /** Whether this request may be answered from (and fill) the cache. */
  applies(ctx: Context): boolean {
    return this.enabled && ctx.method === 'GET' && !ctx.state.identity && !ctx.get('authorization') && !ctx.get('if-none-match') && !ctx.get('if-modified-since');
  }

  /**
   * The answer for `key`: from memory while fresh, otherwise `fetch()`'s (shared by concurrent misses, kept when its
   * upstream allows). `own` is false when the answer was fetched for another request (from memory, or a fetch it
   * joined): its upstream trace context is that request's, not this one's.
   */
  async answer(key: string, fetch: () => Promise<UpstreamResponse>): Promise<{ response: UpstreamResponse; own: boolean; ageSeconds?: number }> {
    const hit = this.entries.get(key);
    recordCacheLookup('gateway_public_answers', !!hit);
    if (hit) return { response: fromStored(hit), own: false, ageSeconds: Math.floor((this.now() - hit.storedAt) / 1000) };
    const generation = this.generation;
    const pending = this.inflight.get(key);
    if (pending && pending.generation === generation) return { response: await pending.answer, own: false };
    const answer = fetch();
    const mine = { generation, answer };
    this.inflight.set(key, mine);
    try {
      const response = await answer;
      const ttl = response.status === 200 ? sharedLifetimeMs(response.headers.get('cache-control'), this.capMs) : 0;
      if (ttl > 0 && this.generation === generation) this.entries.set(key, toStored(response, this.now()), { ttl });
      return { response, own: true };
    } finally {
      if (this.inflight.get(key) === mine) this.inflight.delete(key);
    }
  }

  /** Something may have changed: nothing kept before now is served again, nor any fetch still running. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
    this.inflight.clear();
  }

  /** Middleware: empties the cache after every request that may have written (before its answer leaves). */
  invalidateAfterWrites() {
    return async (ctx: Context, next: Next) => {
      try {
        await next();
      } finally {
        if (resolvedRoute(ctx) && mayHaveWritten(ctx.method, ctx.status)) this.invalidate();
      }
    };
  }
}

function toStored(res: UpstreamResponse, now: number): Stored {
  const headers = new Map<string, string>();
  for (const name of KEPT_HEADERS) {
    const value = res.headers.get(name);
    if (value) headers.set(name, value);
  }
  return { status: res.status, headers, payload: res.payload, storedAt: now };
}

const fromStored = (s: Stored): UpstreamResponse => ({ status: s.status, payload: s.payload, headers: { get: (name) => s.headers.get(name) ?? null } });
