import test from 'ava';
import { parseFeed } from 'feedsmith';
import { SaxesParser } from 'saxes';
import { buildAtom, buildRss, feedUpdated, plainTextToHtml, type FeedDocument, type FeedEntry } from '../src/domain/feed.js';
import { FeedLinks } from '../src/domain/feed-links.js';
import { FeedVersions } from '../src/domain/feed-versions.js';

/** Strict XML 1.0 with namespaces (saxes refuses what a lenient feed parser might forgive). */
function assertWellFormed(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (err) => {
    throw err;
  });
  parser.write(xml).close();
}

const ATTACKS = [
  'CDATA end ]]> and <![CDATA[ start',
  '<script>alert(1)</script>',
  'Tom & Jerry &amp; &lt;b&gt; &foo; &#0; &#x1F600;',
  'controls \u0001\u0008\u000b\u000c\u001b\u007f\u0085 tab\tend',
  'lone \ud800 high and \udc00 low',
  'non-characters \ufffe \uffff',
  'unicode 😀 日本語 e\u0301',
  'RTL \u202eevil\u202c שלום عربى',
  '"quotes" \'apostrophes\'',
];
/** What a reader must see for a value: XML 1.0's impossible characters replaced by U+FFFD, line breaks as parsed. */
const expected = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

const entry = (over: Partial<FeedEntry> = {}): FeedEntry => ({
  id: '0b6e7a4e-1111-4111-8111-111111111111',
  title: 'Title',
  description: 'Description',
  body: 'Body',
  url: 'https://blog.example/api/articles/title',
  authorName: 'alice',
  tags: ['a'],
  publishedAt: new Date('2026-01-01T10:00:00.000Z'),
  updatedAt: new Date('2026-01-02T10:00:00.000Z'),
  ...over,
});
const doc = (entries: FeedEntry[], over: Partial<FeedDocument> = {}): FeedDocument => ({
  selfUrl: 'https://blog.example/feeds/articles.atom',
  siteUrl: 'https://blog.example/api/articles',
  title: 'Blog',
  subtitle: 'Latest',
  entries,
  ...over,
});

for (const attack of ATTACKS) {
  test(`Atom: ${JSON.stringify(attack)} stays well-formed and reads back as written`, (t) => {
    const xml = buildAtom(doc([entry({ title: attack, description: attack, body: attack, authorName: attack, tags: [attack] })], { title: attack }));
    assertWellFormed(xml);
    const parsed = parseFeed(xml);
    t.is(parsed.format, 'atom');
    if (parsed.format !== 'atom') return;
    const e = parsed.feed.entries![0]!;
    t.is(parsed.feed.title?.value, expected(attack));
    t.is(e.title?.value, expected(attack));
    t.is(e.summary?.value, expected(attack));
    t.is(e.authors?.[0]?.name, expected(attack));
    t.is(e.categories?.[0]?.term, expected(attack).replace(/\t/g, ' '));
    // The body is HTML that shows the text: nothing in it is markup but our own <p> and <br>.
    const html = e.content?.value ?? '';
    t.is(e.content?.type, 'html');
    t.notRegex(html.replace(/<\/?p>|<br>/g, ''), /<[a-z!/]/i);
    t.false(xml.includes('<script'));
  });

  test(`RSS: ${JSON.stringify(attack)} stays well-formed and reads back as written`, (t) => {
    const xml = buildRss(doc([entry({ title: attack, description: attack, body: attack, authorName: attack, tags: [attack] })], { title: attack }));
    assertWellFormed(xml);
    const parsed = parseFeed(xml);
    t.is(parsed.format, 'rss');
    if (parsed.format !== 'rss') return;
    const item = parsed.feed.items![0]!;
    t.is(parsed.feed.title, expected(attack));
    t.is(item.title, expected(attack));
    t.is(item.dc?.creators?.[0], expected(attack));
    t.is(item.categories?.[0]?.name, expected(attack));
    // RSS descriptions are HTML: the text is escaped once more, so a reader renders it and runs nothing.
    t.notRegex((item.description ?? '').replace(/<\/?p>|<br>/g, ''), /<[a-z!/]/i);
  });
}

test('Atom has what RFC 4287 requires: ids, titles, updated dates, self and alternate links, authors', (t) => {
  const xml = buildAtom(doc([entry(), entry({ id: '0b6e7a4e-2222-4222-8222-222222222222', publishedAt: new Date('2026-03-01T00:00:00.000Z'), updatedAt: new Date('2026-02-01T00:00:00.000Z') })]));
  assertWellFormed(xml);
  const parsed = parseFeed(xml);
  if (parsed.format !== 'atom') return t.fail('not Atom');
  const feed = parsed.feed;
  t.is(feed.id, 'https://blog.example/feeds/articles.atom');
  t.deepEqual(feed.links?.find((l) => l.rel === 'self'), { rel: 'self', type: 'application/atom+xml', href: 'https://blog.example/feeds/articles.atom' });
  // The newest change: the second entry was published after its last edit.
  t.is(feed.updated, '2026-03-01T00:00:00.000Z');
  for (const e of feed.entries!) {
    t.regex(e.id!, /^urn:uuid:[0-9a-f-]{36}$/);
    t.truthy(e.title?.value);
    t.regex(e.updated!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    t.truthy(e.authors?.[0]?.name);
    t.regex(e.links?.find((l) => l.rel === 'alternate')?.href ?? '', /^https:\/\//);
  }
});

test('RSS has what RSS 2.0 requires: channel title, link and description; items with guid and RFC 822 dates', (t) => {
  const xml = buildRss(doc([entry()], { selfUrl: 'https://blog.example/feeds/articles.rss' }));
  const parsed = parseFeed(xml);
  if (parsed.format !== 'rss') return t.fail('not RSS');
  const feed = parsed.feed;
  t.is(feed.title, 'Blog');
  t.is(feed.link, 'https://blog.example/api/articles');
  t.is(feed.description, 'Latest');
  t.is(feed.atom?.links?.[0]?.href, 'https://blog.example/feeds/articles.rss');
  const item = feed.items![0]!;
  t.deepEqual(item.guid, { value: 'urn:uuid:0b6e7a4e-1111-4111-8111-111111111111', isPermaLink: false });
  t.is(item.pubDate, 'Thu, 01 Jan 2026 10:00:00 GMT');
  t.is(new Date(item.pubDate!).toISOString(), '2026-01-01T10:00:00.000Z');
});

test('an empty feed is valid and its dates do not move from one request to the next', (t) => {
  const atom = buildAtom(doc([]));
  const rss = buildRss(doc([]));
  assertWellFormed(atom);
  assertWellFormed(rss);
  t.is(atom, buildAtom(doc([])));
  t.is(feedUpdated([]).toISOString(), '1970-01-01T00:00:00.000Z');
  const parsed = parseFeed(rss);
  t.is(parsed.format, 'rss');
  t.false(rss.includes('lastBuildDate'));
});

test('plain text becomes HTML that shows it: paragraphs, line breaks, every character escaped', (t) => {
  t.is(plainTextToHtml('# Title\r\n\r\nOne <b>\nTwo & "three"\n\n\n'), '<p># Title</p>\n<p>One &lt;b&gt;<br>Two &amp; &quot;three&quot;</p>');
  t.is(plainTextToHtml(''), '');
});

test('feed links are absolute and encode tags and usernames as one segment', (t) => {
  const links = new FeedLinks({ publicBaseUrl: 'https://blog.example', title: 'Blog' });
  t.is(links.self({ kind: 'all' }, 'atom'), 'https://blog.example/feeds/articles.atom');
  t.is(links.self({ kind: 'tag', tag: 'a/b ?#%' }, 'rss'), 'https://blog.example/feeds/tags/a%2Fb%20%3F%23%25.rss');
  t.is(links.self({ kind: 'author', username: 'José' }, 'atom'), 'https://blog.example/feeds/authors/Jos%C3%A9.atom');
  t.is(links.site({ kind: 'tag', tag: 'c&d' }), 'https://blog.example/api/articles?tag=c%26d');
  t.is(links.article('a b'), 'https://blog.example/api/articles/a%20b');
  const front = new FeedLinks({ publicBaseUrl: 'https://api.example', siteUrl: 'https://app.example', articleUrlTemplate: 'https://app.example/#/article/{slug}', title: 'Blog' });
  t.is(front.article('x?y'), 'https://app.example/#/article/x%3Fy');
  t.is(front.site({ kind: 'author', username: 'bob' }), 'https://app.example');
});

test('Last-Modified moves forward on every change of content, never back, by at least a second', (t) => {
  let now = Date.parse('2026-05-01T12:00:00.250Z');
  const versions = new FeedVersions(2, () => now);
  const a1 = versions.observe('k', '"a"');
  t.is(a1.toISOString(), '2026-05-01T12:00:00.000Z');
  now += 100;
  t.is(versions.observe('k', '"a"').getTime(), a1.getTime(), 'same content, same date');
  const b = versions.observe('k', '"b"');
  t.is(b.getTime(), a1.getTime() + 1000, 'a change within the same second still moves the date');
  // Back to the first content (an article unpublished, then published again): a new date, not the old one.
  const a2 = versions.observe('k', '"a"');
  t.true(a2 > b);
  // Forgetting keys (bounded memory) never hands out a date at or before one given for a forgotten key.
  versions.observe('x', '"1"');
  versions.observe('y', '"1"');
  t.true(versions.observe('k', '"c"') > a2);
});
