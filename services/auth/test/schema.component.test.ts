import { authDatabase } from '../src/db/orm.config.js';
import { testEntitiesAreTheSchema } from '../../../test/support/schema.js';

/**
 * Entities are the schema (docs/adr/0018-data-access-per-service.md): auth's entities, and the outbox and inbox of
 * @vcd/messaging, describe exactly what the migrations make in a database of this test's own.
 */
testEntitiesAreTheSchema('auth', authDatabase);
