import test from 'ava';
import { userDatabase } from '../src/db/orm.config.js';
import { throwawayDatabase, type ThrowawayDatabase } from '../../../test/support/component.js';
import { entitySchemaDifferences, schemaDiff } from '../../../test/support/schema.js';

/**
 * The user service maps no table of its own: its repositories use SQL with typed rows
 * (docs/adr/0018-data-access-per-service.md). What it does map, the outbox and inbox of @vcd/messaging, describes
 * exactly what the migrations make of those tables.
 */
let migrated: ThrowawayDatabase;
test.before(async () => {
  migrated = await throwawayDatabase('user', userDatabase);
});
test.after.always(async () => {
  await migrated?.drop();
});

test('the user service maps no table of its own', (t) => {
  t.deepEqual(userDatabase.entities, []);
});

test('MikroORM finds nothing to change in the tables the outbox and inbox entities map', async (t) => {
  // dropTables: false leaves out the service's own tables, which no entity maps.
  const diff = await schemaDiff(migrated, { dropTables: false });
  t.is(diff, '', `the entities and the migrations disagree; MikroORM would run:\n${diff}`);
});

test('the outbox and inbox the entities make are the migrated ones, index definitions and constraints included', async (t) => {
  t.deepEqual(await entitySchemaDifferences(migrated, 'user', userDatabase), []);
});
