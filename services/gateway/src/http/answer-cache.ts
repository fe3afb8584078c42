import type { Context, Next } from 'koa';
import { LRUCache } from 'lru-cache';
import { identityToHeaders, type Identity } from '@vcd/http';
import { recordCacheLookup } from '@vcd/telemetry';
import { GATEWAY_CACHE_CONTROL, mayHaveWritten, sharedLifetimeMs, viewerLifetimeMs } from '../domain/shared-cache-policy.js';
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
 * The gateway as a cache of read answers its upstreams let it keep (ADR 19, ADR 21), without the two sidecar hops.
 * Rate limits, authentication and routing still run first for every request.
 *
 * - **Anonymous reads**: an answer marked `Cache-Control: public, s-maxage=N` (blog's public pages) is kept for N
 *   seconds and served to every anonymous reader of the same target.
 * - **Signed-in reads**: an answer marked `Gateway-Cache-Control: max-age=N` (blog's viewer-relative lists) is kept
 *   under the verified identity it was made for (user, name, role and session, exactly the identity headers the
 *   upstream received) and served to that identity only. Nothing a client sends can pick another key.
 * - **A write shows at once** through this gateway: any unsafe request that was not refused as a client error
 *   empties the cache before its answer leaves, and a fetch that started before that write is neither kept nor
 *   shared with a reader who came after it. Writes through another replica, the scheduler, or what a service
 *   learns by events (a follow reaching blog) show within N s.
 * - **One upstream fetch per answer**: concurrent misses of a key share one call.
 * - Requests with validators (If-None-Match, If-Modified-Since) always go upstream. Bounded by bytes.
 */
export class AnswerCache {
  private readonly entries: LRUCache<string, Stored>;
  private readonly inflight = new Map<string, { generation: number; answer: Promise<UpstreamResponse> }>();
  private generation = 0;

  constructor(
    private readonly capMs: number,
    maxBytes = 32 * 1024 * 1024,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new LRUCache({ maxSize: maxBytes, sizeCalculation: (s) => s.payload.length + 512, ttlResolution: 0, perf: { now } });
    // An expired answer is never served, but the LRU frees it only when it is asked for again or pushed out: without
    // this sweep a quiet gateway would hold the last busy minutes' pages (up to maxBytes) for good.
    if (this.enabled) setInterval(() => this.purgeStale(), Math.max(1000, capMs)).unref();
  }

  /** Frees the expired answers (run every max(1 s, cap) by the constructor's timer). */
  purgeStale(): void {
    this.entries.purgeStale();
  }

  /** The bytes the kept answers count for (payloads and 512 per entry). */
  get bytes(): number {
    return this.entries.calculatedSize;
  }

  get enabled(): boolean {
    return this.capMs > 0;
  }

  /**
   * The cache key of this request to `appId` at `path` (the upstream target: owning app, the path rebuilt from the
   * route, the raw query, and whose answer it is), or undefined when it may be neither answered from the cache nor
   * fill it.
   */
  keyOf(ctx: Context, appId: string, path: string): { key: string; perViewer: boolean } | undefined {
    if (!this.enabled || ctx.method !== 'GET' || ctx.get('if-none-match') || ctx.get('if-modified-since')) return undefined;
    const identity = ctx.state.identity as Identity | undefined;
    if (!identity && ctx.get('authorization')) return undefined;
    return answerKey(appId, path, ctx.querystring, identity);
  }

  /**
   * The answer for `key` (keyOf's): from memory while fresh, otherwise `fetch()`'s (shared by concurrent misses, kept
   * when its upstream allows, for this key's readers). `own` is false when the answer was fetched for another
   * request (from memory, or a fetch it joined): its upstream trace context is that request's, not this one's.
   */
  async answer(
    { key, perViewer }: { key: string; perViewer: boolean },
    fetch: () => Promise<UpstreamResponse>,
  ): Promise<{ response: UpstreamResponse; own: boolean; ageSeconds?: number }> {
    const hit = this.entries.get(key);
    recordCacheLookup(perViewer ? 'gateway_viewer_answers' : 'gateway_public_answers', !!hit);
    if (hit) return { response: fromStored(hit), own: false, ageSeconds: Math.floor((this.now() - hit.storedAt) / 1000) };
    const generation = this.generation;
    const pending = this.inflight.get(key);
    if (pending && pending.generation === generation) return { response: await pending.answer, own: false };
    const answer = fetch();
    const mine = { generation, answer };
    this.inflight.set(key, mine);
    try {
      const response = await answer;
      const ttl = response.status !== 200 ? 0
        : perViewer ? viewerLifetimeMs(response.headers.get(GATEWAY_CACHE_CONTROL), this.capMs)
        : sharedLifetimeMs(response.headers.get('cache-control'), this.capMs);
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

/**
 * The key of an answer: JSON of its parts, so no query string can spell another reader's key (an anonymous
 * `?x as {…}` is not a signed-in reader's key, whatever it contains). Exported for its property test.
 */
export function answerKey(appId: string, path: string, query: string, identity: Identity | undefined): { key: string; perViewer: boolean } {
  return identity
    ? { key: JSON.stringify([appId, path, query, identityToHeaders(identity)]), perViewer: true }
    : { key: JSON.stringify([appId, path, query]), perViewer: false };
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
