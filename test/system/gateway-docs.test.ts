import test from 'ava';
import { Parser } from '@asyncapi/parser';
import { Validator } from '@seriousme/openapi-schema-validator';
import { api, stack } from '../support/stack.js';

/** Every public route of BRIEF §2 and the RealWorld spec, as the aggregated document must list it. */
const PUBLIC_ROUTES = [
  'post /api/users', 'post /api/users/login', 'get /api/user', 'put /api/user',
  'get /api/profiles/{username}', 'post /api/profiles/{username}/follow', 'delete /api/profiles/{username}/follow',
  'get /api/articles', 'get /api/articles/feed', 'post /api/articles', 'get /api/articles/{slug}', 'put /api/articles/{slug}', 'delete /api/articles/{slug}',
  'get /api/articles/{slug}/comments', 'post /api/articles/{slug}/comments', 'delete /api/articles/{slug}/comments/{id}',
  'post /api/articles/{slug}/favorite', 'delete /api/articles/{slug}/favorite', 'get /api/tags',
  'post /api/users/refresh', 'post /api/users/logout', 'post /api/users/logout-all', 'get /api/user/sessions', 'delete /api/user/sessions/{id}',
  'post /api/users/verification', 'post /api/users/verification/confirm', 'post /api/users/password-reset', 'post /api/users/password-reset/confirm',
  'post /api/articles/{slug}/publish', 'post /api/articles/{slug}/unpublish', 'post /api/articles/{slug}/archive',
  'get /api/categories', 'post /api/categories', 'put /api/categories/{slug}', 'delete /api/categories/{slug}',
  'put /api/articles/{slug}/comments/{id}',
  'post /api/articles/{slug}/reactions/{kind}', 'delete /api/articles/{slug}/reactions/{kind}',
  'post /api/articles/{slug}/comments/{id}/reactions/{kind}', 'delete /api/articles/{slug}/comments/{id}/reactions/{kind}',
  'get /api/profiles/{username}/followers', 'get /api/profiles/{username}/following', 'get /api/profiles/{username}/activity',
  'get /api/user/preferences', 'put /api/user/preferences',
  'get /api/user/notifications', 'get /api/user/notifications/unread-count', 'post /api/user/notifications/{id}/read', 'post /api/user/notifications/read-all',
  'put /api/admin/users/{username}/role',
  'get /feeds/articles.atom', 'get /feeds/articles.rss', 'get /feeds/tags/{tag}.atom', 'get /feeds/tags/{tag}.rss',
  'get /feeds/authors/{username}.atom', 'get /feeds/authors/{username}.rss',
  'get /api/asyncapi.json',
];

test('the aggregated OpenAPI document is valid and lists every public route', async (t) => {
  const res = await api('GET', '/api/openapi.json');
  t.is(res.status, 200);
  const result = await new Validator().validate(res.body);
  t.true(result.valid, JSON.stringify(result.errors)?.slice(0, 2000));
  const documented = new Set(Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)));
  const missing = PUBLIC_ROUTES.filter((r) => !documented.has(r));
  t.deepEqual(missing, [], 'routes missing from /api/openapi.json');
  t.false([...documented].some((r) => r.includes('/internal/')), 'internal routes stay out of the public document');
});

test('the docs page and its assets are served locally', async (t) => {
  const page = await fetch(`${stack().gatewayUrl}/api/docs`);
  t.is(page.status, 200);
  const html = await page.text();
  t.regex(html, /swagger-ui-bundle\.js/);
  t.notRegex(html, /https?:\/\//, 'no CDN');
  const bundle = await fetch(`${stack().gatewayUrl}/api/docs/assets/swagger-ui-bundle.js`);
  t.is(bundle.status, 200);
  t.true((await bundle.arrayBuffer()).byteLength > 100_000);
});

test('the events are described by an AsyncAPI 3 document that anyone can read, linked from the OpenAPI document', async (t) => {
  const res = await api('GET', '/api/asyncapi.json');
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^application\/json/);
  const { document, diagnostics } = await new Parser().parse(res.body);
  t.truthy(document, JSON.stringify(diagnostics.filter((d) => d.severity === 0)).slice(0, 2000));
  t.is(document!.version(), '3.0.0');
  const published = document!.channels().all().find((c) => c.address() === 'post.published');
  t.truthy(published);
  t.deepEqual(published!.operations().all().map((o) => [o.action(), o.tags().all().map((tag) => tag.name())]), [['send', ['blog']]]);
  const openapi = await api('GET', '/api/openapi.json');
  t.regex(openapi.body.info.description, /\/api\/asyncapi\.json/);
});
