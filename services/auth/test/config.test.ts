import test from 'ava';
import { ConfigError } from '@vcd/config';
import { loadConfig } from '../src/config.js';

const base = { APP_PORT: '8081', APP_API_TOKEN: 'a'.repeat(16), DAPR_API_TOKEN: 'b'.repeat(16) };

test('session lifetimes default to short access tokens and month-long sliding sessions', (t) => {
  const c = loadConfig(base);
  t.is(c.ACCESS_TOKEN_TTL_SECONDS, 900);
  t.is(c.SESSION_IDLE_TIMEOUT_SECONDS, 30 * 86_400);
  t.is(c.SESSION_MAX_LIFETIME_DAYS, 90);
  t.is(c.SESSION_TOUCH_INTERVAL_SECONDS, 300);
});

test('inconsistent session lifetimes stop the service with a message naming the variable', (t) => {
  const touch = t.throws(() => loadConfig({ ...base, SESSION_IDLE_TIMEOUT_SECONDS: '10', SESSION_TOUCH_INTERVAL_SECONDS: '6' }), { instanceOf: ConfigError });
  t.regex(touch!.message, /SESSION_TOUCH_INTERVAL_SECONDS/);
  const idle = t.throws(() => loadConfig({ ...base, SESSION_IDLE_TIMEOUT_SECONDS: String(40 * 86_400), SESSION_MAX_LIFETIME_DAYS: '30' }), { instanceOf: ConfigError });
  t.regex(idle!.message, /SESSION_IDLE_TIMEOUT_SECONDS/);
  t.throws(() => loadConfig({ ...base, ACCESS_TOKEN_TTL_SECONDS: '0' }), { instanceOf: ConfigError });
});
