import { LRUCache } from 'lru-cache';
import { recordCacheLookup } from '@vcd/telemetry';
import type { ProfileCard } from './user-profiles.js';

/**
 * Profile cards (bio, image) kept for `ttlMs`: a login and `GET /api/user` (which RealWorld clients call on every
 * page) then need no call to the user service while the card is kept. A profile edit drops the card: through this
 * gateway at once (`forget`, from the use case that made it), through any other way when its profile.updated
 * event arrives; `ttlMs` bounds the staleness if the event is late. A look-up that was in flight when any card was
 * dropped is answered but not kept, so a card read before an edit never outlives it.
 */
export class CachedProfileCards {
  private readonly cache: LRUCache<string, ProfileCard>;
  /** Counts drops: a fetch that saw another count when it began may have read a card that was dropped since. */
  private drops = 0;

  constructor(
    private readonly inner: { cardOf(userId: string): Promise<ProfileCard> },
    private readonly ttlMs: number,
    maxEntries = 10_000,
    now: () => number = Date.now,
  ) {
    this.cache = new LRUCache({ max: maxEntries, ttl: Math.max(ttlMs, 1), ttlResolution: 0, perf: { now } });
  }

  /** The card, from memory unless `fresh` (a compensating step must put back what the user service holds now). */
  async cardOf(userId: string, options: { fresh?: boolean } = {}): Promise<ProfileCard> {
    if (this.ttlMs <= 0) return this.inner.cardOf(userId);
    const hit = options.fresh ? undefined : this.cache.get(userId);
    if (!options.fresh) recordCacheLookup('profile_cards', !!hit);
    if (hit) return hit;
    const drops = this.drops;
    const card = await this.inner.cardOf(userId);
    if (drops === this.drops) this.cache.set(userId, card);
    return card;
  }

  /** Drops a card at once (its profile changed); the next look-up asks the user service. */
  forget(userId: string): void {
    this.drops++;
    this.cache.delete(userId);
  }
}
