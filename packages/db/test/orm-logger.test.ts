import test from 'ava';
import { Writable } from 'node:stream';
import { createLogger } from '@vcd/logging';
import { ormConfigFor, ormDebugFor, SafeOrmLogger } from '../src/index.js';

function capture(level: string) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('orm-test', { level, destination }), lines };
}

test('MikroORM never gets to print parameter values, even when every debug namespace is switched on', (t) => {
  const { logger, lines } = capture('debug');
  const orm = new SafeOrmLogger({ writer: () => t.fail('the default writer is replaced'), debugMode: true }, logger);
  t.false(orm.isEnabled('query-params'), 'debug: true (or MIKRO_ORM_DEBUG=true) would enable it in MikroORM');
  t.false(orm.isEnabled('query-params', { enabled: true }), 'a per-query logging option neither');
  t.true(orm.isEnabled('query'));
  orm.logQuery({ query: 'select * from "account" where "email" = $1', params: ['alice@example.test'], took: 1 } as never);
  t.is(lines.length, 1);
  t.regex(lines[0]!, /select \* from \\"account\\" where \\"email\\" = \$1/);
  t.false(lines[0]!.includes('alice@example.test'));
});

test('statements are logged at LOG_LEVEL=debug only, into the service logger', (t) => {
  t.deepEqual(ormDebugFor(capture('debug').logger), ['query', 'info']);
  t.false(ormDebugFor(capture('info').logger));
  t.false(ormDebugFor(undefined));
  const config = ormConfigFor({ entities: [], migrationsDir: '/nowhere' }, 'postgresql://u:p@127.0.0.1:1/db', undefined, capture('debug').logger);
  t.true(config.loggerFactory!({ writer: () => undefined }) instanceof SafeOrmLogger);
});
