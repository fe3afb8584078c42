/**
 * Feed readers: Atom 1.0 and RSS 2.0 of published articles through the gateway, as a reader fetches them. Each
 * answer is checked by a strict XML parser (saxes: well-formedness, namespaces, XML 1.0 characters) and by a
 * feed parser (feedsmith: the document is the format it claims, with the fields its spec requires).
 */
import test from 'ava';
import { parseFeed } from 'feedsmith';
import { SaxesParser } from 'saxes';
import { api, author, createArticle, eventually, stack, uniqueTitle, type TestUser } from '../../services/blog/test/support/blog-stack.js';
import { rawRequest } from '../security/support/raw-http.js';
import { CLIENT_IP } from '../support/stack.js';

interface Fetched {
  status: number;
  headers: Headers;
  text: string;
}

async function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Fetched> {
  const res = await fetch(`${stack().gatewayUrl}${path}`, { method, headers: { 'x-forwarded-for': CLIENT_IP, ...headers } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function wellFormed(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (err) => {
    throw err;
  });
  parser.write(xml).close();
}

interface Entry {
  id: string;
  title: string;
  link: string;
  author: string;
  content: string;
  categories: string[];
}

/** Fetches a feed, checks it is well-formed and of its format, and returns its entries in a common shape. */
async function readFeed(path: string): Promise<{ res: Fetched; entries: Entry[]; selfUrl: string }> {
  const res = await get(path);
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
  wellFormed(res.text);
  const parsed = parseFeed(res.text);
  if (path.endsWith('.atom')) {
    if (parsed.format !== 'atom') throw new Error(`${path} is not Atom`);
    const feed = parsed.feed;
    return {
      res,
      selfUrl: feed.links!.find((l) => l.rel === 'self')!.href!,
      entries: (feed.entries ?? []).map((e) => ({
        id: e.id!,
        title: e.title!.value!,
        link: e.links!.find((l) => l.rel === 'alternate')!.href!,
        author: e.authors![0]!.name!,
        content: e.content?.value ?? '',
        categories: (e.categories ?? []).map((c) => c.term!),
      })),
    };
  }
  if (parsed.format !== 'rss') throw new Error(`${path} is not RSS`);
  const feed = parsed.feed;
  return {
    res,
    selfUrl: feed.atom!.links!.find((l) => l.rel === 'self')!.href!,
    entries: (feed.items ?? []).map((i) => ({
      id: i.guid!.value!,
      title: i.title!,
      link: i.link!,
      author: i.dc!.creators![0]!,
      content: i.description ?? '',
      categories: (i.categories ?? []).map((c) => c.name!),
    })),
  };
}

const FEEDS = (tag: string, username: string) =>
  ['atom', 'rss'].flatMap((f) => [`/feeds/articles.${f}`, `/feeds/tags/${encodeURIComponent(tag)}.${f}`, `/feeds/authors/${encodeURIComponent(username)}.${f}`]);

const titlesOf = async (path: string) => (await readFeed(path)).entries.map((e) => e.title);

let authors: Promise<[TestUser, TestUser]> | undefined;
/** Two authors per test file, registered once (argon2 is slow on two cores). */
const twoAuthors = () => (authors ??= Promise.all([author('fa'), author('fb')]));

test('all, per-tag and per-author feeds list published articles, newest first, with absolute links that answer', async (t) => {
  const [alice, bob] = await twoAuthors();
  const tag = `feeds-${Date.now().toString(36)}`;
  const first = await createArticle(alice, { title: uniqueTitle('First'), tagList: [tag, 'zz-other'] });
  const second = await createArticle(bob, { title: uniqueTitle('Second'), tagList: [tag] });
  for (const path of FEEDS(tag, alice.username)) {
    const { res, entries, selfUrl } = await readFeed(path);
    t.is(selfUrl, `${stack().gatewayUrl}${path}`, `${path}: self link is absolute, from PUBLIC_BASE_URL`);
    t.regex(res.headers.get('content-type') ?? '', path.endsWith('.atom') ? /^application\/atom\+xml; charset=utf-8/ : /^application\/rss\+xml; charset=utf-8/);
    const titles = entries.map((e) => e.title);
    if (path.includes('/authors/')) {
      // The other tests of this file write as alice too: hers are there, bob's are not.
      t.true(titles.includes(first.title) && !titles.includes(second.title), path);
      t.deepEqual(entries.find((e) => e.title === first.title)!.categories, [tag, 'zz-other'].sort());
    } else if (path.includes('/tags/')) t.deepEqual(titles, [second.title, first.title], path);
    // Other tests publish meanwhile: the two are there, newest first.
    else t.true(titles.includes(second.title) && titles.indexOf(second.title) < titles.indexOf(first.title), `${path}: newest first`);
    const mine = entries.find((e) => e.title === first.title)!;
    t.is(mine.author, alice.username);
    t.regex(mine.id, /^urn:uuid:[0-9a-f-]{36}$/);
    t.is(mine.link, `${stack().gatewayUrl}/api/articles/${first.slug}`);
  }
  // The links a reader follows answer: the feed itself, and the article.
  const { entries, selfUrl } = await readFeed(`/feeds/tags/${tag}.atom`);
  t.is((await fetch(selfUrl, { headers: { 'x-forwarded-for': CLIENT_IP } })).status, 200);
  t.is((await fetch(entries[0]!.link, { headers: { 'x-forwarded-for': CLIENT_IP } })).status, 200);
});

test('drafts, scheduled and archived articles never appear; an unpublished article disappears at once', async (t) => {
  const [alice] = await twoAuthors();
  const tag = `hidden-${Date.now().toString(36)}`;
  const visible = await createArticle(alice, { title: uniqueTitle('Visible'), tagList: [tag] });
  const draft = await createArticle(alice, { title: uniqueTitle('Draft'), tagList: [tag], status: 'draft' });
  const scheduled = await createArticle(alice, { title: uniqueTitle('Scheduled'), tagList: [tag], status: 'scheduled', publishAt: new Date(Date.now() + 3_600_000).toISOString() });
  const archived = await createArticle(alice, { title: uniqueTitle('Archived'), tagList: [tag] });
  t.is((await api('POST', `/api/articles/${archived.slug}/archive`, { token: alice.token })).status, 200);
  const hidden = [draft.title, scheduled.title, archived.title];
  for (const path of FEEDS(tag, alice.username)) {
    const titles = await titlesOf(path);
    t.true(titles.includes(visible.title), path);
    for (const title of hidden) t.false(titles.includes(title), `${path} lists ${title}`);
  }
  // A reader that has the feed (its validators) asks again after the article was unpublished: a new feed.
  const before = await readFeed(`/feeds/tags/${tag}.rss`);
  t.is((await api('POST', `/api/articles/${visible.slug}/unpublish`, { token: alice.token })).status, 200);
  const again = await get(`/feeds/tags/${tag}.rss`, { 'if-none-match': before.res.headers.get('etag')!, 'if-modified-since': before.res.headers.get('last-modified')! });
  // Its tag is on no published article any more: the tag's feed is gone (404), like the tag from GET /api/tags.
  t.is(again.status, 404);
  for (const path of FEEDS(tag, alice.username).filter((p) => !p.includes('/tags/'))) t.false((await titlesOf(path)).includes(visible.title), path);
});

test('a scheduled article appears when its time comes (the scheduler empties the cached feeds too)', async (t) => {
  const [, bob] = await twoAuthors();
  const feed = `/feeds/authors/${bob.username}.atom`;
  const before = await titlesOf(feed);
  const soon = await createArticle(bob, { title: uniqueTitle('Soon'), status: 'scheduled', publishAt: new Date(Date.now() + 1_500).toISOString() });
  t.false(before.includes(soon.title));
  t.false((await titlesOf(feed)).includes(soon.title), 'not before its time');
  await eventually(async () => (await titlesOf(feed)).includes(soon.title), 15_000, 200);
  t.pass();
});

test('ETag and Last-Modified: a repeated request with either validator gets 304 without a body; a change gets 200', async (t) => {
  const [alice] = await twoAuthors();
  const tag = `cond-${Date.now().toString(36)}`;
  await createArticle(alice, { tagList: [tag] });
  const path = `/feeds/tags/${tag}.atom`;
  const first = await get(path);
  t.is(first.status, 200);
  const etag = first.headers.get('etag')!;
  const lastModified = first.headers.get('last-modified')!;
  t.regex(etag, /^"[A-Za-z0-9_-]+"$/);
  t.false(Number.isNaN(Date.parse(lastModified)));
  t.is(first.headers.get('cache-control'), 'public, no-cache');

  const byEtag = await get(path, { 'if-none-match': etag });
  t.is(byEtag.status, 304);
  t.is(byEtag.text, '');
  t.is(byEtag.headers.get('etag'), etag);
  t.is((await get(path, { 'if-none-match': `"other", W/${etag}` })).status, 304, 'weak comparison, lists');
  t.is((await get(path, { 'if-modified-since': lastModified })).status, 304);
  t.is((await get(path, { 'if-none-match': etag }, 'HEAD')).status, 304);
  const head = await get(path, {}, 'HEAD');
  t.is(head.status, 200);
  t.is(head.headers.get('etag'), etag);
  // Validators that do not match, and garbage, get the feed (never a 5xx).
  for (const headers of <Record<string, string>[]>[{ 'if-none-match': '"nope"' }, { 'if-modified-since': 'yesterday' }, { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' }, { 'if-none-match': 'x'.repeat(1000) }]) {
    t.is((await get(path, headers)).status, 200, JSON.stringify(headers).slice(0, 80));
  }
  t.is((await get(path, { 'if-none-match': 'x'.repeat(3000) })).status, 422, 'an oversized validator is refused, naming the header');

  // A new article under the tag: the cached feed was emptied by the write, so the next request sees it.
  const added = await createArticle(alice, { title: uniqueTitle('Added'), tagList: [tag] });
  const changed = await get(path, { 'if-none-match': etag, 'if-modified-since': lastModified });
  t.is(changed.status, 200);
  t.true(changed.text.includes(added.title));
  t.not(changed.headers.get('etag'), etag);
  t.true(Date.parse(changed.headers.get('last-modified')!) > Date.parse(lastModified), 'Last-Modified moved forward');
  t.is((await get(path, { 'if-modified-since': lastModified })).status, 200, 'the old date does not earn a 304');
});

test('content is escaped: CDATA ends, markup, entities, control characters, unicode and RTL reach the reader as written', async (t) => {
  const [alice] = await twoAuthors();
  const tag = `esc-${Date.now().toString(36)}`;
  const title = `]]> <script>alert(1)</script> & &amp; &foo; \u0001\u001b שלום \u202eevil 😀 ${uniqueTitle('')}`;
  const body = 'Para <img src=x onerror=alert(1)>\n\n]]><![CDATA[ & &lt;b&gt; \u000b end';
  await createArticle(alice, { title, description: '<b>bold?</b> & more', body, tagList: [tag, `${tag} & <b>`] });
  for (const path of [`/feeds/tags/${tag}.atom`, `/feeds/tags/${tag}.rss`, `/feeds/tags/${encodeURIComponent(`${tag} & <b>`)}.atom`]) {
    const { res, entries } = await readFeed(path); // well-formed, or it throws
    const entry = entries[0]!;
    t.is(entry.title, title.trim().replace(/[\u0001\u001b]/g, '\ufffd'), path);
    t.false(res.text.includes('<script'), path);
    // The body is HTML that shows the text: the only markup is our paragraphs.
    t.notRegex(entry.content.replace(/<\/?p>|<br>/g, ''), /<[a-z!/]/i, path);
    t.true(entry.content.includes('&lt;img src=x onerror=alert(1)&gt;'), path);
    t.deepEqual(entry.categories.sort(), [tag, `${tag} & <b>`].sort());
  }
});

test('tags and usernames with odd characters are one path segment; unknown ones are 404, ambiguous ones 400', async (t) => {
  const [alice] = await twoAuthors();
  const odd = [`node.js-${Date.now().toString(36)}`, `café au lait ${Date.now().toString(36)}`, `עברית-${Date.now().toString(36)}`, `x.atom-${Date.now().toString(36)}`];
  const article = await createArticle(alice, { tagList: odd });
  for (const tag of odd) {
    for (const f of ['atom', 'rss']) t.deepEqual(await titlesOf(`/feeds/tags/${encodeURIComponent(tag)}.${f}`), [article.title], tag);
  }
  for (const path of ['/feeds/tags/never-used-tag-xyz.atom', '/feeds/authors/nobody-by-this-name.rss']) {
    const res = await get(path);
    t.is(res.status, 404, path);
    t.regex(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    t.regex(JSON.parse(res.text).code, /^BLOG\.(TAG|AUTHOR)_NOT_FOUND$/);
  }
  // Refused before any upstream call (ADR 11): encoded slash, dot-segments, encoded ? # %, NUL.
  // Sent as written (fetch would resolve the dot-segments before sending).
  for (const path of ['/feeds/tags/a%2Fb.atom', '/feeds/tags/%2e%2e/%2e%2e/v1.0/metadata.atom', '/feeds/../v1.0/metadata', '/feeds/tags/a%3Fb.rss', '/feeds/tags/a%23b.rss', '/feeds/tags/100%25.atom', '/feeds/tags/a%00b.atom']) {
    t.is((await rawRequest('GET', path, { clientIp: CLIENT_IP })).status, 400, path);
  }
  // Not a feed: no extension, another one, an empty or dot name, another method.
  for (const path of ['/feeds/tags/x', '/feeds/tags/x.json', '/feeds/tags/.atom', '/feeds/tags/..atom', '/feeds/articles', '/feeds/', '/feeds']) {
    t.is((await get(path)).status, 404, path);
  }
  t.is((await api('POST', '/feeds/articles.atom', { body: {} })).status, 405);
  t.is((await get(`/feeds/tags/${'x'.repeat(65)}.atom`)).status, 422, 'longer than any tag: names the field');
});

// Serial (ava runs these before the others): its 51 articles must not push the other tests' out of the feeds.
test.serial('an author feed lists the 50 newest of more', async (t) => {
  const many = await author('fm');
  const created: string[] = [];
  for (let i = 0; i < 51; i++) created.push((await createArticle(many, { title: uniqueTitle(`Many ${i}`) })).title);
  for (const f of ['atom', 'rss']) {
    const titles = await titlesOf(`/feeds/authors/${many.username}.${f}`);
    t.is(titles.length, 50);
    t.deepEqual(titles, created.slice(1).reverse());
  }
});

test('the feeds are declared routes: in the aggregated OpenAPI document, public, under Feeds', async (t) => {
  const doc = (await api('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, { tags: string[]; security: unknown[] }>> };
  for (const path of ['/feeds/articles.atom', '/feeds/articles.rss', '/feeds/tags/{tag}.atom', '/feeds/tags/{tag}.rss', '/feeds/authors/{username}.atom', '/feeds/authors/{username}.rss']) {
    t.deepEqual(doc.paths[path]?.get?.tags, ['Feeds'], path);
    t.deepEqual(doc.paths[path]?.get?.security, []);
  }
});

test('the blog service serves its feeds to the gateway only (like /api): not to a caller of its own sidecar', async (t) => {
  const blog = stack().apps.blog!;
  const res = await fetch(`http://127.0.0.1:${blog.daprHttpPort}/v1.0/invoke/blog/method/feeds/articles.atom`, { headers: { 'dapr-api-token': blog.daprApiToken } });
  t.is(res.status, 403);
  t.is(((await res.json()) as { code: string }).code, 'GATEWAY_ONLY');
});
