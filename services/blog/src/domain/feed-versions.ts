/**
 * The `Last-Modified` of each feed: the time this instance first served the feed's current content (by its
 * ETag). A feed's content can change without any of its dates moving (an article is unpublished, deleted or
 * retagged: the newest remaining entry is older than before), so a date taken from the entries would let a client
 * holding the old version get a wrong 304 to `If-Modified-Since`. Here every change of content moves the date
 * forward, by at least one second (HTTP dates have no finer grain), so a 304 is only ever answered for the content
 * the client has. After a restart the dates start again from "now": clients get one full answer, never a wrong 304.
 */
export class FeedVersions {
  private readonly versions = new Map<string, { etag: string; since: number }>();
  /** Past every date handed out for a key that was since forgotten (bounded memory): its next date is later. */
  private floor = 0;

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Last-Modified time (whole seconds) of `key`'s feed whose current content has `etag`. */
  observe(key: string, etag: string): Date {
    const known = this.versions.get(key);
    if (known?.etag === etag) return new Date(known.since);
    const second = Math.floor(this.now() / 1000) * 1000;
    const since = Math.max(second, known ? known.since + 1000 : this.floor);
    this.versions.delete(key);
    if (this.versions.size >= this.maxEntries) {
      const [oldestKey, oldest] = this.versions.entries().next().value!;
      this.floor = Math.max(this.floor, oldest.since + 1000);
      this.versions.delete(oldestKey);
    }
    this.versions.set(key, { etag, since });
    return new Date(since);
  }
}
