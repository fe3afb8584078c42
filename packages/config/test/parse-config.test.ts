import test from 'ava';
import { ConfigError, parseConfig, port, sidecarEnv, z } from '../src/index.js';

test('a valid environment parses with defaults, once, frozen', (t) => {
  const config = parseConfig('svc', z.object({ APP_PORT: port(), RETRIES: z.coerce.number().default(3) }), { APP_PORT: '8080' });
  t.deepEqual(config, { APP_PORT: 8080, RETRIES: 3 });
  t.true(Object.isFrozen(config));
});

test('every problem is reported at once, naming the variable', (t) => {
  const err = t.throws(() => parseConfig('blog', z.object(sidecarEnv), { APP_PORT: '99999', APP_API_TOKEN: 'short' }), { instanceOf: ConfigError });
  t.regex(err!.message, /Invalid configuration for blog/);
  t.regex(err!.message, /APP_PORT/);
  t.regex(err!.message, /APP_API_TOKEN: .*16/);
  t.regex(err!.message, /DAPR_API_TOKEN: .*\(not set\)/);
});
