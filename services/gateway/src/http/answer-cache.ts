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
  /** When its upstream fetch began: the answer shows every write answered before then. */
  fetchedAt: number;
  /** The cache's sequence number when its fetch began (ordered with writes). */
  seq: number;
}

/** The key of a request's answer (`answerKey`): `userId` is the signed-in reader's, for a per-viewer answer. */
export interface AnswerKey {
  key: string;
  perViewer: boolean;
  userId?: string;
}

/** How many writers' last writes are remembered for one cap; past that, a write empties everything (never wrong). */
const MAX_WRITERS = 100_000;

/**
 * The gateway as a cache of read answers its upstreams let it keep (ADR 19, ADR 21, ADR 25), without the two
 * sidecar hops. Rate limits, authentication and routing still run first for every request.
 *
 * - **Anonymous reads**: an answer marked `Cache-Control: public, s-maxage=N` (blog's public pages) is kept for N
 *   seconds and served to every anonymous reader of the same target.
 * - **Signed-in reads**: an answer marked `Gateway-Cache-Control: max-age=N` (blog's viewer-relative lists) is kept
 *   under the verified identity it was made for (user, name, role and session, exactly the identity headers the
 *   upstream received) and served to that identity only. Nothing a client sends can pick another key.
 * - **Freshness (ADR 25)**: an answer is served at most N seconds after its fetch began, so every reader sees a
 *   write at most N s after it was answered. **The writer sees it at once**: a write that was not refused as a client
 *   error drops every answer kept for its user (any session) before its answer leaves, and a fetch of theirs that
 *   began before it is neither kept nor shared with them. Other readers' answers stay: N s of staleness is what a
 *   second gateway replica gave them already, and one write no longer sends every reader upstream.
 * - **One upstream fetch per answer**: concurrent misses of a key share one call.
 * - Requests with validators (If-None-Match, If-Modified-Since) always go upstream. Bounded by bytes.
 */
export class AnswerCache {
  private readonly entries: LRUCache<string, Stored>;
  private readonly inflight = new Map<string, { seq: number; startedAt: number; answer: Promise<UpstreamResponse> }>();
  /** userId → sequence number of that user's last write, remembered for the cap (every answer kept before it has expired by then). */
  private readonly lastWriteBy: LRUCache<string, number>;
  /** Counts fetches and writes in the order they happen. */
  private seq = 0;
  /** Nothing fetched before this sequence number is served (invalidate). */
  private floor = 0;

  constructor(
    private readonly capMs: number,
    maxBytes = 32 * 1024 * 1024,
    private readonly now: () => number = Date.now,
    maxWriters = MAX_WRITERS,
  ) {
    this.entries = new LRUCache({ maxSize: maxBytes, sizeCalculation: (s) => s.payload.length + 512, ttlResolution: 0, perf: { now } });
    this.lastWriteBy = new LRUCache({
      max: maxWriters,
      ttl: Math.max(capMs, 1),
      ttlResolution: 0,
      perf: { now },
      // A writer forgotten before their cap ran out could be served an answer from before their write: forget
      // everyone's answers instead.
      dispose: (_seq, _user, reason) => {
        if (reason === 'evict') this.invalidate();
      },
    });
    // An expired answer is never served, but the LRU frees it only when it is asked for again or pushed out: without
    // this sweep a quiet gateway would hold the last busy minutes' pages (up to maxBytes) for good.
    if (this.enabled) setInterval(() => this.purgeStale(), Math.max(1000, capMs)).unref();
  }

  /** Frees the expired answers (run every max(1 s, cap) by the constructor's timer). */
  purgeStale(): void {
    this.entries.purgeStale();
    this.lastWriteBy.purgeStale();
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
  keyOf(ctx: Context, appId: string, path: string): AnswerKey | undefined {
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
  async answer(key: AnswerKey, fetch: () => Promise<UpstreamResponse>): Promise<{ response: UpstreamResponse; own: boolean; ageSeconds?: number }> {
    const notBefore = this.notBefore(key);
    const hit = this.entries.get(key.key);
    const fresh = hit !== undefined && hit.seq > notBefore;
    recordCacheLookup(key.perViewer ? 'gateway_viewer_answers' : 'gateway_public_answers', fresh);
    if (fresh) return { response: fromStored(hit), own: false, ageSeconds: Math.floor((this.now() - hit.fetchedAt) / 1000) };
    if (hit) this.entries.delete(key.key);
    const pending = this.inflight.get(key.key);
    // A fetch older than the cap could not be kept anyway: a reader who comes that late asks again.
    if (pending && pending.seq > notBefore && this.now() - pending.startedAt < this.capMs) return { response: await pending.answer, own: false };
    const mine = { seq: ++this.seq, startedAt: this.now(), answer: fetch() };
    this.inflight.set(key.key, mine);
    try {
      const response = await mine.answer;
      const lifetime = response.status !== 200 ? 0
        : key.perViewer ? viewerLifetimeMs(response.headers.get(GATEWAY_CACHE_CONTROL), this.capMs)
        : sharedLifetimeMs(response.headers.get('cache-control'), this.capMs);
      // Counted from the fetch's start: no answer is served longer than its lifetime after the upstream was asked.
      const ttl = lifetime - (this.now() - mine.startedAt);
      if (ttl > 0 && mine.seq > this.notBefore(key)) this.entries.set(key.key, toStored(response, mine), { ttl });
      return { response, own: true };
    } finally {
      if (this.inflight.get(key.key) === mine) this.inflight.delete(key.key);
    }
  }

  /** The sequence number an answer for `key` must have been fetched after: the last write of its reader, or the floor. */
  private notBefore(key: AnswerKey): number {
    const written = key.userId === undefined ? undefined : this.lastWriteBy.get(key.userId);
    return Math.max(this.floor, written ?? 0);
  }

  /**
   * `userId` may have written: none of their kept answers, nor a fetch of theirs that began before now, is served to
   * them again. Other readers' answers stay until their lifetime ends. An anonymous write (registration, log-in)
   * changes nothing any kept answer shows.
   */
  writtenBy(userId: string | undefined): void {
    if (userId !== undefined) this.lastWriteBy.set(userId, ++this.seq);
  }

  /** Everything may have changed: nothing fetched before now is served again to anyone. */
  invalidate(): void {
    this.floor = ++this.seq;
    this.entries.clear();
    this.inflight.clear();
  }

  /** Middleware: after every request that may have written, drops its writer's answers (before its answer leaves). */
  dropWritersAnswers() {
    return async (ctx: Context, next: Next) => {
      try {
        await next();
      } finally {
        if (resolvedRoute(ctx) && mayHaveWritten(ctx.method, ctx.status)) this.writtenBy((ctx.state.identity as Identity | undefined)?.userId);
      }
    };
  }
}

/**
 * The key of an answer: JSON of its parts, so no query string can spell another reader's key (an anonymous
 * `?x as {…}` is not a signed-in reader's key, whatever it contains). Exported for its property test.
 */
export function answerKey(appId: string, path: string, query: string, identity: Identity | undefined): AnswerKey {
  return identity
    ? { key: JSON.stringify([appId, path, query, identityToHeaders(identity)]), perViewer: true, userId: identity.userId }
    : { key: JSON.stringify([appId, path, query]), perViewer: false };
}

function toStored(res: UpstreamResponse, fetch: { seq: number; startedAt: number }): Stored {
  const headers = new Map<string, string>();
  for (const name of KEPT_HEADERS) {
    const value = res.headers.get(name);
    if (value) headers.set(name, value);
  }
  return { status: res.status, headers, payload: res.payload, fetchedAt: fetch.startedAt, seq: fetch.seq };
}

const fromStored = (s: Stored): UpstreamResponse => ({ status: s.status, payload: s.payload, headers: { get: (name) => s.headers.get(name) ?? null } });
