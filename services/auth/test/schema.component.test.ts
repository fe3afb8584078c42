import test from 'ava';
import { authDatabase } from '../src/db/orm.config.js';
import { throwawayDatabase, type ThrowawayDatabase } from '../../../test/support/component.js';
import { entitySchemaDifferences, schemaDiff } from '../../../test/support/schema.js';

/**
 * Entities are the schema (docs/adr/0018-data-access-per-service.md): auth's entities, and the outbox and inbox of
 * @vcd/messaging, describe exactly what the migrations make in a database of this test's own.
 */
let migrated: ThrowawayDatabase;
test.before(async () => {
  migrated = await throwawayDatabase('auth', authDatabase);
});
test.after.always(async () => {
  await migrated?.drop();
});

test('MikroORM finds nothing to change between the entities and the migrated database', async (t) => {
  const diff = await schemaDiff(migrated, { dropTables: true });
  t.is(diff, '', `the entities and the migrations disagree; MikroORM would run:\n${diff}`);
});

test('the schema the entities make is the migrated one, index definitions and constraints included', async (t) => {
  t.deepEqual(await entitySchemaDifferences(migrated, 'auth', authDatabase), []);
});
