import { LRUCache } from 'lru-cache';
import { recordCacheLookup } from '@vcd/telemetry';

/**
 * Pages that are the same for every reader (the public article list by query, the tags, the feeds), kept for
 * `ttlMs`. Keys name the page (`articles:…`, `tags`), and each key always holds the same kind of page.
 *
 * - **Readers see a write at once.** Every write that can change a page empties it (`invalidate`, after the write
 *   committed and before its answer leaves: app.ts for requests, all but comments'; the scheduler after publishing),
 *   and a page whose computation started before that write is never
 *   served to a request that arrived after it. A write made by another instance of the service shows after at
 *   most `ttlMs`. Values kept with `getOrComputeLasting` (the totals of lists) are the exception: they may lag writes
 *   by up to `ttlMs`.
 * - **One computation per page, even under writes.** Concurrent requests for a page that is missing share one
 *   computation (the page is kept as a promise from the moment it starts), so a write costs one recomputation of
 *   each page read afterwards, not one per waiting reader (issue 17: 13 writes/s used to collapse the list).
 * - A failed computation is not kept: the next request tries again.
 */
export class PublicPageCache {
  /** The least recently used pages go first beyond `maxEntries`; a page older than `ttlMs` is never served. */
  private readonly pages: LRUCache<string, { generation: number; value: Promise<unknown> }>;
  /** Moves on every write: an entry of an older generation is never served (it may predate the write). */
  private generation = 0;
  /** Values kept for `ttlMs` whatever is written meanwhile (getOrComputeLasting). */
  private readonly lasting: LRUCache<string, Promise<unknown>>;

  constructor(
    private readonly ttlMs: number,
    maxEntries = 1_000,
    now: () => number = Date.now,
  ) {
    this.pages = new LRUCache({ max: maxEntries, ttl: Math.max(ttlMs, 1), ttlResolution: 0, perf: { now } });
    this.lasting = new LRUCache({ max: maxEntries, ttl: Math.max(ttlMs, 1), ttlResolution: 0, perf: { now } });
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /**
   * The Cache-Control of an answer served from here: shared caches (the gateway, ADR 19) may keep it as long as
   * this cache would (`s-maxage`, whole seconds, at least 1); browsers revalidate (`max-age=0`). None when off.
   */
  get sharedCacheControl(): Record<string, string> {
    return this.enabled ? { 'Cache-Control': `public, max-age=0, s-maxage=${Math.max(1, Math.round(this.ttlMs / 1000))}` } : {};
  }

  /**
   * The field of a viewer's copy of a shared page (ADR 21): the gateway alone may keep it, for that viewer alone, as
   * long as this cache keeps the page (`Gateway-Cache-Control`, which the gateway never passes on); browsers and
   * other caches must revalidate (`private, no-cache`). None when off.
   */
  get viewerCacheControl(): Record<string, string> {
    return this.enabled
      ? { 'Cache-Control': 'private, no-cache', 'Gateway-Cache-Control': `max-age=${Math.max(1, Math.round(this.ttlMs / 1000))}` }
      : {};
  }

  /** The cached page for `key`, or `compute()`'s, shared with every request for `key` until the next write. */
  getOrCompute<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (!this.enabled) return compute();
    const generation = this.generation;
    const hit = this.pages.get(key);
    const fresh = hit !== undefined && hit.generation === generation;
    recordCacheLookup('public_pages', fresh);
    if (fresh) return hit.value as Promise<T>;
    const entry = { generation, value: compute() as Promise<unknown> };
    this.pages.set(key, entry);
    entry.value.catch(() => {
      if (this.pages.peek(key) === entry) this.pages.delete(key);
    });
    return entry.value as Promise<T>;
  }

  /**
   * `compute()`'s value for `key`, kept for `ttlMs` and NOT emptied by writes: for what may lag writes by that long
   * (the totals of lists past their first page), never for what a reader must see at once. Concurrent requests
   * share one computation; a failed one is not kept.
   */
  getOrComputeLasting<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (!this.enabled) return compute();
    const hit = this.lasting.get(key);
    recordCacheLookup('public_totals', hit !== undefined);
    if (hit !== undefined) return hit as Promise<T>;
    const value = compute() as Promise<unknown>;
    this.lasting.set(key, value);
    value.catch(() => {
      if (this.lasting.peek(key) === value) this.lasting.delete(key);
    });
    return value as Promise<T>;
  }

  invalidate(): void {
    this.generation++;
    this.pages.clear();
  }

  get size(): number {
    return this.pages.size;
  }
}
