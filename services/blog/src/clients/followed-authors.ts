import { LRUCache } from 'lru-cache';
import { recordCacheLookup } from '@vcd/telemetry';
import type { UserDirectory } from '../domain/authors.js';

/**
 * Whom a viewer follows, for the `following` flags of viewer-relative pages (the signed-in article list, the
 * feed): asked of the user service once (ListFollowing) and kept per viewer for `ttlMs`, so a signed-in page
 * makes no cross-service call while it is cached. The user service's `user.followed` / `user.unfollowed` events
 * (the `broadcast` pub/sub, so every blog replica hears them) drop the viewer's set (`forget`) within
 * milliseconds of the follow; `ttlMs` bounds the staleness if an event is late (blog down, say). ADR 19.
 *
 * Concurrent look-ups for one viewer share one call (the set is kept as a promise from the moment it is asked
 * for), and `forget` drops a call still in flight too: a look-up after the event never gets a set fetched before it.
 */
export class FollowedAuthors {
  private readonly sets: LRUCache<string, Promise<ReadonlySet<string>>>;

  constructor(
    private readonly users: Pick<UserDirectory, 'following'>,
    private readonly ttlMs: number,
    maxViewers = 10_000,
    now: () => number = Date.now,
  ) {
    this.sets = new LRUCache({ max: maxViewers, ttl: Math.max(ttlMs, 1), ttlResolution: 0, perf: { now } });
  }

  /** The ids of the users `viewerId` follows. */
  of(viewerId: string): Promise<ReadonlySet<string>> {
    if (this.ttlMs <= 0) return this.fetch(viewerId);
    const hit = this.sets.get(viewerId);
    recordCacheLookup('followed_authors', !!hit);
    if (hit) return hit;
    const pending = this.fetch(viewerId);
    this.sets.set(viewerId, pending);
    pending.catch(() => {
      if (this.sets.peek(viewerId) === pending) this.sets.delete(viewerId);
    });
    return pending;
  }

  /** `viewerId` followed or unfollowed someone: their next page asks the user service again. */
  forget(viewerId: string): void {
    this.sets.delete(viewerId);
  }

  private async fetch(viewerId: string): Promise<ReadonlySet<string>> {
    return new Set(await this.users.following(viewerId));
  }
}
