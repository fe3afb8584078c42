import { recordCacheLookup } from '@vcd/telemetry';

/**
 * Pages that are the same for every anonymous reader (the public article list by query, the tags), kept for
 * `ttlMs`. Keys name the page (`articles:…`, `tags`), and each key always holds the same kind of page.
 * Any write in this service empties it (`invalidate`), so a reader never sees this instance's own writes late;
 * a write made by another instance of the service shows after at most `ttlMs`. A page computed while a write
 * happened is not kept (it may predate the write).
 */
export class PublicPageCache {
  private readonly pages = new Map<string, { value: unknown; until: number }>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The cached page for `key`, or `compute()`'s (kept when no write happened meanwhile). */
  async getOrCompute<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (!this.enabled) return compute();
    const hit = this.pages.get(key);
    const fresh = !!hit && hit.until > this.now();
    recordCacheLookup('public_pages', fresh);
    if (fresh) return hit!.value as T;
    const startedAt = this.generation;
    const value = await compute();
    if (this.generation === startedAt) {
      this.pages.delete(key);
      if (this.pages.size >= this.maxEntries) this.pages.delete(this.pages.keys().next().value!);
      this.pages.set(key, { value, until: this.now() + this.ttlMs });
    }
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
