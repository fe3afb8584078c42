/**
 * Users who never set an image get the gateway's default avatar in every RealWorld `image` field (user, profile,
 * article author, comment author), served by the gateway itself as a harmless SVG (issue 12).
 */
import test from 'ava';
import { query } from '../support/db.js';
import { api, DEFAULT_AVATAR, publicBaseUrl, register, stack } from '../support/stack.js';

/** Every `image` member anywhere in a body, with where it was found. */
function imagesIn(body: unknown, at = '$'): [string, unknown][] {
  if (body === null || typeof body !== 'object') return [];
  if (Array.isArray(body)) return body.flatMap((v, i) => imagesIn(v, `${at}[${i}]`));
  return Object.entries(body).flatMap(([k, v]) => [...(k === 'image' ? ([[`${at}.image`, v]] as [string, unknown][]) : []), ...imagesIn(v, `${at}.${k}`)]);
}

test('no RealWorld answer has image: null; users without an image get the default avatar everywhere', async (t) => {
  const author = await register();
  const reader = await register();
  const bio = 'I write "image":null in my bio';
  const answers: [string, { status: number; body: unknown }][] = [];
  const call = async (label: string, method: string, path: string, options: Parameters<typeof api>[2] = {}) => {
    const res = await api(method, path, options);
    t.true(res.status < 300, `${label}: ${res.status} ${JSON.stringify(res.body)}`);
    answers.push([label, res]);
    return res;
  };
  const registered = await call('register', 'POST', '/api/users', { body: { user: { username: `${author.username}r`, email: `r${author.email}`, password: author.password } } });
  await call('login', 'POST', '/api/users/login', { body: { user: { email: author.email, password: author.password } } });
  await call('current user', 'GET', '/api/user', { token: author.token });
  await call('update bio', 'PUT', '/api/user', { token: author.token, body: { user: { bio } } });
  const created = await call('create article', 'POST', '/api/articles', { token: author.token, body: { article: { title: `Avatars ${Date.now()}`, description: 'd', body: 'b', tagList: ['avatars'] } } });
  const slug = (created.body as { article: { slug: string } }).article.slug;
  await call('profile', 'GET', `/api/profiles/${author.username}`);
  await call('follow', 'POST', `/api/profiles/${author.username}/follow`, { token: reader.token });
  await call('article', 'GET', `/api/articles/${slug}`, { token: reader.token });
  await call('list', 'GET', '/api/articles?tag=avatars');
  await call('feed', 'GET', '/api/articles/feed', { token: reader.token });
  await call('favorite', 'POST', `/api/articles/${slug}/favorite`, { token: reader.token });
  await call('comment', 'POST', `/api/articles/${slug}/comments`, { token: reader.token, body: { comment: { body: 'Nice' } } });
  await call('comments', 'GET', `/api/articles/${slug}/comments`);
  await call('followers', 'GET', `/api/profiles/${author.username}/followers`);

  for (const [label, res] of answers) {
    const images = imagesIn(res.body);
    t.true(images.length > 0, `${label} has image fields`);
    for (const [where, value] of images) t.is(value, DEFAULT_AVATAR, `${label} ${where}`);
  }
  t.is((registered.body as { user: { image: string } }).user.image, DEFAULT_AVATAR);
  const profile = answers.find(([l]) => l === 'profile')![1].body as { profile: { bio: string } };
  t.is(profile.profile.bio, bio, 'text that spells "image":null inside a string is left alone');
});

test('a set image is kept; clearing it or sending the default back stores "not set" and shows the default again', async (t) => {
  const user = await register();
  const own = 'https://images.example/me.png';
  const set = await api('PUT', '/api/user', { token: user.token, body: { user: { image: own } } });
  t.is(set.body.user.image, own);
  t.is((await api('GET', `/api/profiles/${user.username}`)).body.profile.image, own);
  for (const cleared of ['', null, DEFAULT_AVATAR]) {
    await api('PUT', '/api/user', { token: user.token, body: { user: { image: own } } });
    const res = await api('PUT', '/api/user', { token: user.token, body: { user: { image: cleared } } });
    t.is(res.status, 200, JSON.stringify(res.body));
    t.is(res.body.user.image, DEFAULT_AVATAR, `after ${JSON.stringify(cleared)}`);
    const [row] = await query<{ image: string | null }>('user', 'select image from profile where username = $1', [user.username]);
    t.is(row!.image, null, `${JSON.stringify(cleared)} is stored as not set`);
  }
});

test('the gateway serves the default avatar as a cacheable SVG that cannot run script', async (t) => {
  const path = new URL(DEFAULT_AVATAR, publicBaseUrl()).pathname;
  t.is(path, '/api/avatars/default.svg');
  const res = await fetch(`${stack().gatewayUrl}${path}`);
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'image/svg+xml');
  t.is(res.headers.get('x-content-type-options'), 'nosniff');
  const csp = res.headers.get('content-security-policy') ?? '';
  t.regex(csp, /default-src 'none'/);
  t.regex(csp, /\bsandbox\b/);
  t.regex(res.headers.get('cache-control') ?? '', /public, max-age=\d+/);
  t.is(res.headers.get('cross-origin-resource-policy'), 'cross-origin');
  const etag = res.headers.get('etag');
  t.truthy(etag);
  const svg = await res.text();
  t.regex(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.notRegex(svg, /<script|\son[a-z]+\s*=|javascript:|<foreignObject|href=|<style|@import|url\(/i, 'no script, handler, link or external reference');

  const again = await fetch(`${stack().gatewayUrl}${path}`, { headers: { 'if-none-match': etag! } });
  t.is(again.status, 304);
  t.is(await again.text(), '');
  const head = await fetch(`${stack().gatewayUrl}${path}`, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.headers.get('content-type'), 'image/svg+xml');
  const doc = (await api('GET', '/api/openapi.json')).body as { paths: Record<string, unknown> };
  t.truthy(doc.paths['/api/avatars/default.svg'], 'documented in the aggregated OpenAPI');
  // Only GET and HEAD: the avatar is not something a client can change.
  t.is((await api('POST', path)).status, 405);
});
