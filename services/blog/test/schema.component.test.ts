import { blogDatabase } from '../src/db/orm.config.js';
import { testEntitiesAreTheSchema } from '../../../test/support/schema.js';

/**
 * Entities are the schema (docs/adr/0018-data-access-per-service.md): blog's entities, and the outbox and inbox of
 * @vcd/messaging, describe exactly what the migrations make in a database of this test's own.
 */
testEntitiesAreTheSchema('blog', blogDatabase);
