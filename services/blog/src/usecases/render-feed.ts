import { createHash } from 'node:crypto';
import { listFeedArticles } from '../db/article.repository.js';
import { authorFor, idOfUsername } from '../domain/authors.js';
import { buildFeed, FEED_CONTENT_TYPES, type FeedEntry, type FeedFormat } from '../domain/feed.js';
import type { FeedSubject } from '../domain/feed-links.js';
import { BlogErrors } from '../domain/blog-errors.js';
import type { BlogDeps } from './blog-deps.js';

/** How many entries a feed lists (the newest). */
export const FEED_SIZE = 50;

export interface RenderedFeed {
  xml: string;
  contentType: string;
  /** A strong validator: the hash of the bytes. */
  etag: string;
  lastModified: Date;
}

const describe = (subject: FeedSubject, title: string) => {
  switch (subject.kind) {
    case 'all':
      return { title, subtitle: `The latest articles published on ${title}` };
    case 'tag':
      return { title: `${title}: ${subject.tag}`, subtitle: `The latest articles tagged "${subject.tag}"` };
    case 'author':
      return { title: `${title}: ${subject.username}`, subtitle: `The latest articles by ${subject.username}` };
  }
};

/**
 * A feed of the newest published articles (all, one tag's or one author's) as Atom or RSS. Feeds are the same
 * for every reader, so they are kept in the public page cache and emptied with it by every write (publication,
 * unpublication, edit, deletion, a scheduled article going live, an author's profile change).
 * An author the user service does not know, or a tag no published article carries (as GET /api/tags lists
 * them), has no feed: 404.
 */
export function renderFeed(deps: BlogDeps, subject: FeedSubject, format: FeedFormat): Promise<RenderedFeed> {
  const key = 'feed:' + JSON.stringify([format, subject.kind, subject.kind === 'tag' ? subject.tag : subject.kind === 'author' ? subject.username : '']);
  return deps.publicPages.getOrCompute(key, async () => {
    let authorId: string | undefined;
    if (subject.kind === 'author') {
      authorId = idOfUsername(await deps.users.profiles({ userIds: [], usernames: [subject.username] }), subject.username);
      if (!authorId) throw BlogErrors.authorNotFound(subject.username);
    }
    const rows = await listFeedArticles(deps.em(), { tag: subject.kind === 'tag' ? subject.tag : undefined, authorId }, FEED_SIZE);
    if (subject.kind === 'tag' && rows.length === 0) throw BlogErrors.tagNotFound(subject.tag);
    // One call for every author of the feed (an author's own feed already knows its one author).
    const authorIds = subject.kind === 'author' ? [] : [...new Set(rows.map((r) => r.authorId))];
    const profiles = authorIds.length ? await deps.users.profiles({ userIds: authorIds }) : new Map();
    const { links } = deps.feeds;
    const entries: FeedEntry[] = rows.map((r) => ({
      id: r.id,
      title: r.title,
      description: r.description,
      body: r.body,
      url: links.article(r.slug),
      authorName: subject.kind === 'author' ? subject.username : authorFor(profiles, r.authorId).username,
      tags: r.tagList,
      publishedAt: r.publishedAt,
      updatedAt: r.updatedAt,
    }));
    const xml = buildFeed(format, { ...describe(subject, links.title), selfUrl: links.self(subject, format), siteUrl: links.site(subject), entries });
    const etag = `"${createHash('sha256').update(xml).digest('base64url').slice(0, 32)}"`;
    return { xml, contentType: FEED_CONTENT_TYPES[format], etag, lastModified: deps.feeds.versions.observe(key, etag) };
  });
}
