import test from 'ava';
import fc from 'fast-check';
import { checkQueryString, parseRequestPath, RejectedRequestTarget } from '../src/domain/request-path.js';
import { encodeParam, ownerOf, RouteTable, routesFromOpenApi, upstreamPath, type DeclaredRoute } from '../src/domain/route-table.js';

const route = (method: string, template: string, appId: DeclaredRoute['appId'] = 'blog'): DeclaredRoute => ({ appId, method, template, access: 'public', style: 'realworld' });
const table = new RouteTable([
  route('GET', '/api/articles'),
  route('GET', '/api/articles/feed'),
  route('GET', '/api/articles/{slug}'),
  route('DELETE', '/api/articles/{slug}'),
  route('POST', '/api/articles/{slug}/comments'),
  route('POST', '/api/users/login', 'auth'),
]);

const refused = (path: string) => t_refused(() => parseRequestPath(path));
function t_refused(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    if (err instanceof RejectedRequestTarget) return true;
    throw err;
  }
}

test('a declared route matches; the more specific template wins; parameters are decoded once', (t) => {
  const m = table.match('GET', parseRequestPath('/api/articles/feed'));
  t.true(m && 'route' in m && m.route.template === '/api/articles/feed');
  const s = table.match('GET', parseRequestPath('/api/articles/caf%C3%A9-au-lait'));
  t.true(s && 'route' in s);
  if (s && 'route' in s) {
    t.is(s.params.slug, 'café-au-lait');
    t.is(upstreamPath(s), '/api/articles/caf%C3%A9-au-lait');
  }
});

test('the path spelling does not help: case, doubled slashes and unknown routes match nothing', (t) => {
  t.is(table.match('POST', parseRequestPath('/api/Users/Login')), undefined);
  t.is(table.match('POST', parseRequestPath('/api/users//login')), undefined);
  t.is(table.match('GET', parseRequestPath('/api/articles/a/b/c')), undefined);
  t.is(table.match('GET', parseRequestPath('/internal/profiles/x')), undefined);
  t.deepEqual(table.match('PUT', parseRequestPath('/api/articles/x')), { allowed: ['DELETE', 'GET'], style: 'realworld' });
});

test('dot-segments, encoded slashes, backslashes, NUL and controls are refused in every spelling', (t) => {
  for (const p of [
    '/api/articles/..', '/api/articles/.', '/api/articles/%2e%2e', '/api/articles/%2E%2e', '/api/articles/.%2e', '/api/articles/%2e.',
    '/api/articles/%252e%252e', '/api/articles/%25252e%25252e', '/api/articles/a%2fb', '/api/articles/a%2Fb', '/api/articles/a%252fb',
    '/api/articles/a%5cb', '/api/articles/a\\b', '/api/articles/a%00b', '/api/articles/a%0ab', '/api/articles/%7f', '/api/articles/%ed%a0%80',
    '/api/articles/%zz', '/api/articles/%c2%85', '/api/articles/%3f', '/api/articles/a%23b',
  ]) t.true(refused(p), p);
  t.true(refused('/api/articles/100%25-sure'), 'an encoded % is double encoding');
  t.false(refused('/api/articles/my.article'));
  t.false(refused('/api/articles/...'));
});

test('query strings: NUL, controls and malformed encoding are refused, naming the parameter', (t) => {
  const err = t.throws(() => checkQueryString('limit=1&tag=a%00b'), { instanceOf: RejectedRequestTarget });
  t.is(err?.part, 'query.tag');
  t.throws(() => checkQueryString('q=%ed%a0%80'));
  t.throws(() => checkQueryString('q=%'));
  t.notThrows(() => checkQueryString('q=caf%C3%A9+au+lait&tag=100%25'));
});

test('an upstream path is the template with each parameter encoded, and never leaves its prefix (property)', (t) => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }), (slug) => {
      if (slug === '.' || slug === '..') {
        t.throws(() => encodeParam(slug));
        return;
      }
      const path = upstreamPath({ route: route('GET', '/api/articles/{slug}/comments'), params: { slug } });
      const resolved = new URL(`http://x/v1.0/invoke/blog/method${path}`).pathname;
      t.is(resolved, `/v1.0/invoke/blog/method${path}`);
      t.is(path.split('/').length, 5);
    }),
    { numRuns: 2000 },
  );
});

test('routes come from a service OpenAPI document, with access and error style', (t) => {
  const routes = routesFromOpenApi('auth', {
    paths: {
      '/api/users/login': { post: { security: [], 'x-error-style': 'realworld' } },
      '/api/user/sessions': { get: { security: [{ Token: [] }], 'x-required-role': 'user' } },
      '/api/articles': { get: { security: [{}, { Token: [] }] } },
      '/openapi.json': { get: {} },
    },
  });
  t.deepEqual(routes.map((r) => [r.method, r.template, r.access, r.style]), [
    ['POST', '/api/users/login', 'public', 'realworld'],
    ['GET', '/api/user/sessions', 'user', 'problem'],
    ['GET', '/api/articles', 'optional', 'problem'],
  ]);
  t.is(ownerOf('/api/user/preferences'), 'user');
  t.is(ownerOf('/api/users/login'), 'auth');
  t.is(ownerOf('/internal/x'), undefined);
});

const feeds = new RouteTable([
  route('GET', '/feeds/articles.atom'),
  route('GET', '/feeds/articles.rss'),
  route('GET', '/feeds/tags/{tag}.atom'),
  route('GET', '/feeds/tags/{tag}.rss'),
  route('GET', '/feeds/authors/{username}.atom'),
]);
const feedMatch = (path: string) => {
  const m = feeds.match('GET', parseRequestPath(path));
  return m && 'route' in m ? { template: m.route.template, params: m.params, upstream: upstreamPath(m) } : m;
};

test('feeds: a parameter with an extension takes the segment less its extension; dots inside stay', (t) => {
  t.deepEqual(feedMatch('/feeds/tags/node.js.atom'), { template: '/feeds/tags/{tag}.atom', params: { tag: 'node.js' }, upstream: '/feeds/tags/node.js.atom' });
  t.deepEqual(feedMatch('/feeds/tags/x.atom.rss'), { template: '/feeds/tags/{tag}.rss', params: { tag: 'x.atom' }, upstream: '/feeds/tags/x.atom.rss' });
  t.deepEqual(feedMatch('/feeds/tags/caf%C3%A9%20au%20lait.rss'), {
    template: '/feeds/tags/{tag}.rss',
    params: { tag: 'café au lait' },
    upstream: '/feeds/tags/caf%C3%A9%20au%20lait.rss',
  });
  t.deepEqual(feedMatch('/feeds/authors/%D7%A9%D7%9C%D7%95%D7%9D.atom'), {
    template: '/feeds/authors/{username}.atom',
    params: { username: 'שלום' },
    upstream: '/feeds/authors/%D7%A9%D7%9C%D7%95%D7%9D.atom',
  });
  t.like(feedMatch('/feeds/articles.atom'), { template: '/feeds/articles.atom', params: {} });
});

test('feeds: an empty or dot-segment value, another extension or a missing one matches nothing', (t) => {
  for (const p of ['/feeds/tags/.atom', '/feeds/tags/..atom', '/feeds/tags/...atom', '/feeds/tags/%2e.atom', '/feeds/tags/x.json', '/feeds/tags/x', '/feeds/tags/x.ATOM', '/feeds/authors/x.rss', '/feeds/articles', '/feeds/tags/a/b.atom']) {
    t.is(feeds.match('GET', parseRequestPath(p)), undefined, p);
  }
  // What the path checks refuse stays refused under /feeds too.
  for (const p of ['/feeds/tags/a%2Fb.atom', '/feeds/tags/%2e%2e/x.atom', '/feeds/tags/a%3Fb.atom', '/feeds/tags/a%23b.atom', '/feeds/tags/100%25.atom', '/feeds/tags/a%00.atom']) t.true(refused(p), p);
});

test('feeds: the upstream path keeps the extension and never leaves its prefix (property)', (t) => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }), (tag) => {
      if (tag === '.' || tag === '..') return;
      const path = upstreamPath({ route: route('GET', '/feeds/tags/{tag}.atom'), params: { tag } });
      t.is(new URL(`http://x/v1.0/invoke/blog/method${path}`).pathname, `/v1.0/invoke/blog/method${path}`);
      t.true(path.startsWith('/feeds/tags/') && path.endsWith('.atom'));
      t.is(path.split('/').length, 4);
    }),
    { numRuns: 1000 },
  );
});

test('feeds: declared under /feeds in a document, owned by blog; other prefixes are still refused', (t) => {
  const routes = routesFromOpenApi('blog', { paths: { '/feeds/tags/{tag}.rss': { get: { security: [] } }, '/feedsx/a': { get: {} }, '/internal/x': { get: {} } } });
  t.deepEqual(routes.map((r) => [r.method, r.template, r.access]), [['GET', '/feeds/tags/{tag}.rss', 'public']]);
  t.is(ownerOf('/feeds/articles.atom'), 'blog');
  t.throws(() => new RouteTable([route('GET', '/internal/{x}.atom')]), { message: /outside \/api and \/feeds/ });
  t.throws(() => new RouteTable([route('GET', '/feeds/{x}.{y}')]), { message: /bad template/ });
});
