import { LRUCache } from 'lru-cache';
import { recordCacheLookup } from '@vcd/telemetry';

/**
 * Pages that are the same for every anonymous reader (the public article list by query, the tags), kept for
 * `ttlMs`. Keys name the page (`articles:…`, `tags`), and each key always holds the same kind of page.
 * Any write in this service empties it (`invalidate`), so a reader never sees this instance's own writes late;
 * a write made by another instance of the service shows after at most `ttlMs`. A page computed while a write
 * happened is not kept (it may predate the write).
 */
export class PublicPageCache {
  /** The least recently used pages go first beyond `maxEntries`; a page older than `ttlMs` is never served. */
  private readonly pages: LRUCache<string, { value: unknown }>;
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    maxEntries = 1_000,
    now: () => number = Date.now,
  ) {
    this.pages = new LRUCache({ max: maxEntries, ttl: Math.max(ttlMs, 1), ttlResolution: 0, perf: { now } });
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The cached page for `key`, or `compute()`'s (kept when no write happened meanwhile). */
  async getOrCompute<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (!this.enabled) return compute();
    const hit = this.pages.get(key);
    recordCacheLookup('public_pages', !!hit);
    if (hit) return hit.value as T;
    const startedAt = this.generation;
    const value = await compute();
    if (this.generation === startedAt) this.pages.set(key, { value });
    return value;
  }

  invalidate(): void {
    this.generation++;
    this.pages.clear();
  }

  get size(): number {
    return this.pages.size;
  }
}
