import { create } from 'xmlbuilder2';

/**
 * Atom 1.0 (RFC 4287) and RSS 2.0 documents of published articles, built with an XML builder (never by string
 * concatenation): the builder escapes `<` and `>` (so `]]>` cannot end anything) and quotes, and replaces what
 * XML 1.0 cannot carry at all (C0 control characters other than tab and line breaks, lone UTF-16 surrogates,
 * U+FFFE/U+FFFF) with U+FFFD. Every value goes through `literal` first: see there for `&`.
 */

export type FeedFormat = 'atom' | 'rss';

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
};

export interface FeedEntry {
  /** The article's id (a UUID): the entry's permanent id, whatever its slug becomes. */
  id: string;
  title: string;
  description: string;
  body: string;
  /** Absolute URL of the article. */
  url: string;
  authorName: string;
  tags: string[];
  publishedAt: Date;
  updatedAt: Date;
}

export interface FeedDocument {
  /** Absolute URL of this document (Atom: also its id). */
  selfUrl: string;
  /** Absolute URL of what the feed is about (the site, a tag's or an author's article list). */
  siteUrl: string;
  title: string;
  subtitle: string;
  /** Newest first; already limited. */
  entries: FeedEntry[];
}

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const DC_NS = 'http://purl.org/dc/elements/1.1/';
const GENERATOR = 'VCD Simple Blog';
/** Where XML 1.0 has no character, this stands in (a parser would refuse the document otherwise). */
const REPLACEMENT = '\uFFFD';
/** An empty feed was last updated at the start of time: its `updated` must not change from request to request. */
const EPOCH = new Date(0);

/** When an entry last changed: a publication after the last edit counts as a change. */
const entryUpdated = (e: FeedEntry): Date => (e.publishedAt > e.updatedAt ? e.publishedAt : e.updatedAt);

/** When the feed last changed: its newest entry's change (the epoch for an empty feed, so the bytes stay stable). */
export const feedUpdated = (entries: FeedEntry[]): Date =>
  entries.reduce<Date>((latest, e) => (entryUpdated(e) > latest ? entryUpdated(e) : latest), EPOCH);

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * Plain text (an article's Markdown source) as HTML that shows it as written: every character escaped, blank
 * lines making paragraphs and single line breaks `<br>`. Feed readers render `html` content; text that merely
 * looks like HTML (`<script>`) is shown, never run.
 */
export function plainTextToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}


/**
 * xmlbuilder2 leaves an `&` that starts something shaped like a reference (`&lt;`, `&foo;`, `&#0;`) as written, so
 * that callers can write entities. Ours never do: a title `&lt;b&gt;` must reach the reader as those characters,
 * and `&foo;` (an undefined entity) would make the whole document ill-formed. So every `&` is escaped here, and the
 * builder, seeing `&amp;`, leaves it alone.
 */
const literal = (value: string) => value.replace(/&/g, '&amp;');

/** Attribute values: line breaks and tabs become spaces (a parser would normalise them so anyway). */
const attr = (value: string) => literal(value.replace(/[\t\n\r]/g, ' '));

const newDocument = () => create({ version: '1.0', encoding: 'utf-8', invalidCharReplacement: REPLACEMENT });

export function buildAtom(feed: FeedDocument): string {
  const root = newDocument().ele(ATOM_NS, 'feed');
  root.ele('id').txt(literal(feed.selfUrl));
  root.ele('title', { type: 'text' }).txt(literal(feed.title));
  root.ele('subtitle', { type: 'text' }).txt(literal(feed.subtitle));
  root.ele('updated').txt(literal(feedUpdated(feed.entries).toISOString()));
  root.ele('link', { rel: 'self', type: 'application/atom+xml', href: attr(feed.selfUrl) });
  root.ele('link', { rel: 'alternate', href: attr(feed.siteUrl) });
  // Every entry names its author; the feed's own author covers an empty feed (RFC 4287 §4.1.1).
  root.ele('author').ele('name').txt(literal(GENERATOR));
  root.ele('generator').txt(literal(GENERATOR));
  for (const e of feed.entries) {
    const entry = root.ele('entry');
    entry.ele('id').txt(literal(`urn:uuid:${e.id}`));
    entry.ele('title', { type: 'text' }).txt(literal(e.title));
    entry.ele('link', { rel: 'alternate', href: attr(e.url) });
    entry.ele('published').txt(literal(e.publishedAt.toISOString()));
    entry.ele('updated').txt(literal(entryUpdated(e).toISOString()));
    entry.ele('author').ele('name').txt(literal(e.authorName));
    for (const tag of e.tags) entry.ele('category', { term: attr(tag) });
    entry.ele('summary', { type: 'text' }).txt(literal(e.description));
    entry.ele('content', { type: 'html' }).txt(literal(plainTextToHtml(e.body)));
  }
  return root.end({ prettyPrint: true });
}

export function buildRss(feed: FeedDocument): string {
  const rss = newDocument().ele('rss', { version: '2.0', 'xmlns:atom': ATOM_NS, 'xmlns:dc': DC_NS });
  const channel = rss.ele('channel');
  channel.ele('title').txt(literal(feed.title));
  channel.ele('link').txt(literal(feed.siteUrl));
  channel.ele('description').txt(literal(feed.subtitle));
  channel.ele(ATOM_NS, 'atom:link', { href: attr(feed.selfUrl), rel: 'self', type: 'application/rss+xml' });
  if (feed.entries.length > 0) channel.ele('lastBuildDate').txt(literal(feedUpdated(feed.entries).toUTCString()));
  channel.ele('generator').txt(literal(GENERATOR));
  channel.ele('docs').txt(literal('https://www.rssboard.org/rss-specification'));
  for (const e of feed.entries) {
    const item = channel.ele('item');
    // RSS titles are plain text; descriptions are HTML (escaped once more by the builder, as RSS wants).
    item.ele('title').txt(literal(e.title));
    item.ele('link').txt(literal(e.url));
    item.ele('guid', { isPermaLink: 'false' }).txt(literal(`urn:uuid:${e.id}`));
    item.ele('pubDate').txt(literal(e.publishedAt.toUTCString()));
    // RSS's own <author> must be an e-mail address, which feeds never show: Dublin Core's creator names them.
    item.ele(DC_NS, 'dc:creator').txt(literal(e.authorName));
    for (const tag of e.tags) item.ele('category').txt(literal(tag));
    item.ele('description').txt(literal([plainTextToHtml(e.description), plainTextToHtml(e.body)].filter(Boolean).join('\n')));
  }
  return rss.end({ prettyPrint: true });
}

export const buildFeed = (format: FeedFormat, feed: FeedDocument): string => (format === 'atom' ? buildAtom(feed) : buildRss(feed));
