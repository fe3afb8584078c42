import test from 'ava';
import { ConfigError } from '@vcd/config';
import { loadConfig } from '../src/config.js';

const env = (extra: Record<string, string>) => ({ APP_PORT: '8082', APP_API_TOKEN: 'x'.repeat(16), DAPR_API_TOKEN: 'y'.repeat(16), ...extra });

test('PUBLIC_BASE_URL: an absolute http(s) URL, its trailing slashes dropped; the development gateway by default', (t) => {
  t.is(loadConfig(env({})).PUBLIC_BASE_URL, 'http://127.0.0.1:8080');
  t.is(loadConfig(env({ PUBLIC_BASE_URL: 'https://blog.example.com/' })).PUBLIC_BASE_URL, 'https://blog.example.com');
  t.is(loadConfig(env({ PUBLIC_BASE_URL: 'https://example.com/blog//' })).PUBLIC_BASE_URL, 'https://example.com/blog');
  for (const bad of ['blog.example.com', '/relative', 'ftp://x.example', 'https://x.example/?a=1', 'https://x.example/#f', 'https://u:p@x.example', 'javascript:alert(1)']) {
    const err = t.throws(() => loadConfig(env({ PUBLIC_BASE_URL: bad })), { instanceOf: ConfigError }, bad);
    t.regex(err!.message, /PUBLIC_BASE_URL: must be an absolute http\(s\) URL/);
  }
});

test('FEED_ARTICLE_URL needs {slug} and an absolute http(s) URL; FEED_SITE_URL and FEED_TITLE are checked too', (t) => {
  t.is(loadConfig(env({ FEED_ARTICLE_URL: 'https://app.example/#/article/{slug}' })).FEED_ARTICLE_URL, 'https://app.example/#/article/{slug}');
  t.throws(() => loadConfig(env({ FEED_ARTICLE_URL: 'https://app.example/article' })), { message: /FEED_ARTICLE_URL: must contain \{slug\}/ });
  t.throws(() => loadConfig(env({ FEED_ARTICLE_URL: '/article/{slug}' })), { message: /FEED_ARTICLE_URL: must be an absolute http\(s\) URL/ });
  t.throws(() => loadConfig(env({ FEED_SITE_URL: 'app.example' })), { message: /FEED_SITE_URL/ });
  t.throws(() => loadConfig(env({ FEED_TITLE: '   ' })), { message: /FEED_TITLE/ });
  t.is(loadConfig(env({})).FEED_TITLE, 'VCD Simple Blog');
});
