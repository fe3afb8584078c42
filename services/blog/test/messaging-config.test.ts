import test from 'ava';
import { ConfigError } from '@vcd/config';
import { loadConfig } from '../src/config.js';

const base = { APP_PORT: '8082', APP_API_TOKEN: 'a'.repeat(16), DAPR_API_TOKEN: 'b'.repeat(16) };

test('events are kept 7 days after publication by default, swept hourly; both can be set', (t) => {
  t.like(loadConfig(base), { EVENT_RETENTION_DAYS: 7, RETENTION_SWEEP_INTERVAL_MS: 3_600_000 });
  t.like(loadConfig({ ...base, EVENT_RETENTION_DAYS: '30', RETENTION_SWEEP_INTERVAL_MS: '60000' }), { EVENT_RETENTION_DAYS: 30, RETENTION_SWEEP_INTERVAL_MS: 60_000 });
});

test('a retention that is not a positive number of days stops the service with a message naming the variable', (t) => {
  for (const bad of ['0', '-1', 'week', '100000']) {
    const err = t.throws(() => loadConfig({ ...base, EVENT_RETENTION_DAYS: bad }), { instanceOf: ConfigError });
    t.regex(err!.message, /EVENT_RETENTION_DAYS/);
  }
});
