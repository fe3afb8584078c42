import test from 'ava';
import fc from 'fast-check';
import { parseFeed } from 'feedsmith';
import { SaxesParser } from 'saxes';
import { buildAtom, buildRss, plainTextToHtml, type FeedDocument, type FeedEntry } from '../src/domain/feed.js';
import { SLUG_MAX_LENGTH, slugify } from '../src/domain/slug.js';

/** Properties of blog's pure domain code over generated inputs (fast-check): slugs and feed escaping. */

const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'grapheme-composite', maxLength: 60 }), fc.string({ maxLength: 60 }));

// (maxLength from 8: the fallback "untitled" is not cut to a shorter bound; no caller passes one.)
test('a slug is always lower-case ASCII words joined by single dashes, bounded, and slugging it again changes nothing', (t) => {
  fc.assert(
    fc.property(anyText, fc.integer({ min: 8, max: 200 }), (title, max) => {
      const slug = slugify(title, max);
      t.regex(slug, /^[a-z0-9]+(-[a-z0-9]+)*$/, JSON.stringify(title));
      t.true(slug.length <= max);
      t.is(slugify(slug, max), slug);
    }),
  );
});

test('the ASCII words of a title survive into its slug, in order', (t) => {
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9]{1,10}$/), { minLength: 1, maxLength: 8 }), fc.constantFrom(' ', ' - ', ': ', '!? ', '\t', ' & '), (words, sep) => {
      const slug = slugify(words.join(sep));
      const joined = words.join('-').toLowerCase();
      t.is(slug, joined.length <= SLUG_MAX_LENGTH ? joined : joined.slice(0, SLUG_MAX_LENGTH).replace(/-+$/, ''));
    }),
  );
});

function wellFormed(xml: string): boolean {
  const parser = new SaxesParser({ xmlns: true });
  let ok = true;
  parser.on('error', () => {
    ok = false;
  });
  try {
    parser.write(xml).close();
  } catch {
    ok = false;
  }
  return ok;
}

/** What a reader must see: XML 1.0's impossible characters replaced by U+FFFD (as the feed builder does). */
const readable = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

const feedOf = (text: string): FeedDocument => {
  const entry: FeedEntry = {
    id: '0b6e7a4e-1111-4111-8111-111111111111',
    title: text,
    description: text,
    body: text,
    url: 'https://blog.example/api/articles/x',
    authorName: text,
    tags: [text],
    publishedAt: new Date('2026-01-01T10:00:00.000Z'),
    updatedAt: new Date('2026-01-02T10:00:00.000Z'),
  };
  return { selfUrl: 'https://blog.example/feeds/articles.atom', siteUrl: 'https://blog.example/api/articles', title: text, subtitle: 'Latest', entries: [entry] };
};

test('any text in any field leaves Atom and RSS well-formed XML, and the titles read back as written', (t) => {
  fc.assert(
    fc.property(anyText, (text) => {
      const atom = buildAtom(feedOf(text));
      const rss = buildRss(feedOf(text));
      t.true(wellFormed(atom), `Atom with ${JSON.stringify(text)}`);
      t.true(wellFormed(rss), `RSS with ${JSON.stringify(text)}`);
      // XML parsers turn CR and CRLF into LF; titles that are only whitespace are compared without it.
      const want = readable(text).replace(/\r\n?/g, '\n');
      const a = parseFeed(atom);
      if (a.format === 'atom' && want.trim()) t.is(a.feed.entries?.[0]?.title?.value?.trim(), want.trim(), JSON.stringify(text));
      const r = parseFeed(rss);
      if (r.format === 'rss' && want.trim()) t.is(r.feed.items?.[0]?.title?.trim(), want.trim(), JSON.stringify(text));
    }),
    { numRuns: 300 },
  );
});

test('plain text becomes HTML with no markup of its own but paragraphs and line breaks', (t) => {
  fc.assert(
    fc.property(anyText, (text) => {
      const html = plainTextToHtml(text);
      t.notRegex(html.replace(/<\/?p>|<br>/g, ''), /[<>]/, JSON.stringify(text));
    }),
  );
});
