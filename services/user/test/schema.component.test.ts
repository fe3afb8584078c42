import test from 'ava';
import { userDatabase } from '../src/db/orm.config.js';
import { testEntitiesAreTheSchema } from '../../../test/support/schema.js';

/**
 * The user service maps no table of its own: its repositories use SQL with typed rows
 * (docs/adr/0018-data-access-per-service.md). What it does map, the outbox and inbox of @vcd/messaging, describes
 * exactly what the migrations make of those tables.
 */
test('the user service maps no table of its own', (t) => {
  t.deepEqual(userDatabase.entities, []);
});

testEntitiesAreTheSchema('user', userDatabase, { ownTables: false });
