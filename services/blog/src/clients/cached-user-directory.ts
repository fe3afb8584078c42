import type { AuthorProfile, UserDirectory } from '../domain/authors.js';
import { LRUCache } from 'lru-cache';
import { recordCacheLookup } from '@vcd/telemetry';

type Profile = AuthorProfile & { userId: string };

/**
 * Author cards for anonymous readers, kept for `ttlMs`: the hottest read (the public article list) then needs
 * no call to the user service while its authors are cached, and one batched call for the ones that are not.
 * A viewer's own card is the same for them (so an author's writes use the cache too); anything else relative to
 * a viewer (`following`) or looked up by username always asks the user service. A profile edit drops the card
 * when its profile.updated event arrives (`forget`), in milliseconds; `ttlMs` bounds the staleness if the event
 * is late (blog down, say).
 */
export class CachedUserDirectory implements UserDirectory {
  /** The least recently used cards go first beyond `maxEntries`; a card older than `ttlMs` is never served. */
  private readonly cache: LRUCache<string, Profile>;

  constructor(
    private readonly inner: UserDirectory,
    private readonly ttlMs: number,
    maxEntries = 10_000,
    now: () => number = Date.now,
  ) {
    this.cache = new LRUCache({ max: maxEntries, ttl: Math.max(ttlMs, 1), ttlResolution: 0, perf: { now } });
  }

  async profiles(request: { userIds: string[]; usernames?: string[]; viewerId?: string }): Promise<Map<string, Profile>> {
    // A viewer's own card is the anonymous one (nobody follows themselves): an author's writes use the cache too.
    const onlySelf = !!request.viewerId && request.userIds.length > 0 && request.userIds.every((id) => id === request.viewerId);
    if (this.ttlMs <= 0 || (request.viewerId && !onlySelf) || (request.usernames?.length ?? 0) > 0) return this.inner.profiles(request);
    const out = new Map<string, Profile>();
    const missing: string[] = [];
    for (const id of new Set(request.userIds)) {
      const hit = this.cache.get(id);
      if (hit) out.set(id, hit);
      else missing.push(id);
      recordCacheLookup('author_cards', !!hit);
    }
    if (missing.length === 0) return out;
    const fetched = await this.inner.profiles({ userIds: missing });
    for (const [id, profile] of fetched) {
      out.set(id, profile);
      this.cache.set(id, { ...profile, following: false });
    }
    return out;
  }

  /** Drops a card at once (its profile changed: profile.updated); the next look-up asks the user service. */
  forget(userId: string): void {
    this.cache.delete(userId);
  }

  following(userId: string): Promise<string[]> {
    return this.inner.following(userId);
  }
}
