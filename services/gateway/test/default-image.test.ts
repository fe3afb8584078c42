import test from 'ava';
import fc from 'fast-check';
import { fillNullImages, fillNullImagesInJson } from '../src/domain/default-image.js';

const URL_ = 'http://127.0.0.1:8080/api/avatars/default.svg';

const hasNullImage = (node: unknown): boolean =>
  node !== null &&
  typeof node === 'object' &&
  (Array.isArray(node) ? node.some(hasNullImage) : Object.entries(node).some(([k, v]) => (k === 'image' && v === null) || hasNullImage(v)));

test('every null image of a RealWorld body becomes the default avatar, set images stay', (t) => {
  const body = {
    articles: [
      { slug: 'a', author: { username: 'jake', bio: null, image: null, following: false } },
      { slug: 'b', author: { username: 'ann', bio: null, image: 'https://cdn.example/ann.png', following: true } },
    ],
    articlesCount: 2,
  };
  const filled = JSON.parse(fillNullImagesInJson(JSON.stringify(body), URL_));
  t.is(filled.articles[0].author.image, URL_);
  t.is(filled.articles[1].author.image, 'https://cdn.example/ann.png');
  t.deepEqual(fillNullImages(structuredClone(body), URL_), filled, 'the object walk and the text rewrite agree');
  t.deepEqual(fillNullImages({ user: { image: null, bio: null } }, URL_), { user: { image: URL_, bio: null } });
});

test('text inside strings is never rewritten, even when it spells "image":null with escaped quotes', (t) => {
  const body = { article: { body: 'write {"image":null} or \\"image\\":null', title: '\\', author: { image: null } }, '\\"image': null };
  const text = JSON.stringify(body);
  const filled = JSON.parse(fillNullImagesInJson(text, URL_));
  t.is(filled.article.body, body.article.body);
  t.is(filled.article.title, '\\');
  t.is(filled['\\"image'], null);
  t.is(filled.article.author.image, URL_);
});

test('property: the text rewrite equals the object walk on any JSON value, and leaves no null image', (t) => {
  const withImages = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 2 }),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('image', 'bio', 'x', '"image', 'image\\'), tie('node'), { maxKeys: 4 }),
      fc.record({ image: fc.constantFrom(null, 'https://x/y.png', '"image":null') }),
    ),
  })).node;
  fc.assert(
    fc.property(withImages, (value) => {
      const text = JSON.stringify(value);
      if (text === undefined) return true;
      const viaText = JSON.parse(fillNullImagesInJson(text, URL_));
      const viaObject = fillNullImages(JSON.parse(text), URL_);
      t.deepEqual(viaText, viaObject);
      return !hasNullImage(viaText);
    }),
    { numRuns: 2000 },
  );
});
