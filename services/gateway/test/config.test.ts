import test from 'ava';
import { ConfigError } from '@vcd/config';
import { loadConfig } from '../src/config.js';

const base = { APP_PORT: '8080', APP_API_TOKEN: 'a'.repeat(16), DAPR_API_TOKEN: 'b'.repeat(16) };

test('the default avatar lives under the public base URL unless configured', (t) => {
  t.is(loadConfig(base).DEFAULT_AVATAR_URL, 'http://127.0.0.1:8080/api/avatars/default.svg');
  t.is(loadConfig({ ...base, PUBLIC_BASE_URL: 'https://blog.example/' }).DEFAULT_AVATAR_URL, 'https://blog.example/api/avatars/default.svg');
  t.is(loadConfig({ ...base, DEFAULT_AVATAR_URL: '/img/anon.svg' }).DEFAULT_AVATAR_URL, '/img/anon.svg');
  t.is(loadConfig({ ...base, DEFAULT_AVATAR_URL: 'https://cdn.example/anon.png' }).DEFAULT_AVATAR_URL, 'https://cdn.example/anon.png');
});

test('an avatar URL a browser would read as another host or a script is refused at start-up', (t) => {
  for (const bad of ['//evil.example/x.svg', 'javascript:alert(1)', 'data:image/svg+xml,<svg/>', 'relative/path.svg', '/a"onerror=x']) {
    const err = t.throws(() => loadConfig({ ...base, DEFAULT_AVATAR_URL: bad }), { instanceOf: ConfigError }, bad);
    t.regex(err!.message, /DEFAULT_AVATAR_URL/);
  }
  t.throws(() => loadConfig({ ...base, PUBLIC_BASE_URL: 'ftp://x.example' }), { instanceOf: ConfigError });
});
