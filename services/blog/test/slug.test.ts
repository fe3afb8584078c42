import test from 'ava';
import { slugCandidates, slugify } from '../src/domain/slug.js';

test('a slug is the title in lower-case ASCII words joined by dashes', (t) => {
  t.is(slugify('How to Train Your Dragon'), 'how-to-train-your-dragon');
  t.is(slugify('  Crème brûlée: 10 tips!  '), 'creme-brulee-10-tips');
  t.is(slugify('a -- b __ c'), 'a-b-c');
});

test('a title without any latin letter or digit still gets a usable slug', (t) => {
  t.is(slugify('日本語'), 'untitled');
  t.is(slugify('!!!'), 'untitled');
});

test('slugs are bounded in length and never end with a dash', (t) => {
  const slug = slugify(`${'word '.repeat(60)}end`);
  t.true(slug.length <= 100);
  t.false(slug.endsWith('-'));
});

test('the first candidate is the plain slug, the next ones add a distinct short suffix', (t) => {
  const it = slugCandidates('Hello World');
  t.is(it.next().value, 'hello-world');
  const a = it.next().value as string;
  const b = it.next().value as string;
  t.regex(a, /^hello-world-[0-9a-z]{6}$/);
  t.not(a, b);
});
