/**
 * "Entities are the schema" (docs/adr/0018-data-access-per-service.md), for a service's `schema.component.test.ts`:
 * the migrations make the schema, and the entities must describe it exactly.
 *
 * Two views of it:
 * - `schemaDiff`: what MikroORM's schema generator would change in the migrated database to match the entities
 *   (`getUpdateSchemaSQL`); empty when they agree on tables, columns, types, nullability, defaults, generated
 *   columns, foreign keys, checks and index names.
 * - `entitySchemaDifferences`: MikroORM compares an index given as an expression (partial, on lower(…), descending)
 *   by its name only, and an index's method (gin) not at all. So the schema is also made from the entities
 *   (`createSchema`) in a second empty database, and Postgres's own definitions of both are compared: every column
 *   (type, nullability, default, generation), index (`pg_get_indexdef`) and constraint (`pg_get_constraintdef`).
 */
import test from 'ava';
import type { EntityMetadata } from '@mikro-orm/core';
import type { ServiceDatabase } from '@vcd/db';
import { throwawayDatabase, type ThrowawayDatabase } from './component.js';

/** The SQL MikroORM would run to make the database match the entities; '' when there is nothing to change. */
async function schemaDiff(db: ThrowawayDatabase, options: { dropTables: boolean }): Promise<string> {
  return (await db.orm.schema.getUpdateSchemaSQL({ wrap: false, dropTables: options.dropTables })).trim();
}

/** Postgres's description of the public schema, one line per column, index and constraint, prefixed by the table. */
async function catalog(db: ThrowawayDatabase): Promise<{ table: string; line: string }[]> {
  return db.sql<{ table: string; line: string }>(
    `select c.relname as table, 'column ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
        || case when a.attnotnull then ' not null' else ' null' end
        || case when a.attgenerated = 's' then ' generated always as ' || pg_get_expr(d.adbin, d.adrelid) || ' stored'
                else coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') end as line
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
     union all
     select c.relname, 'index ' || pg_get_indexdef(i.indexrelid)
       from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public'
     union all
     select c.relname, 'constraint ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public'
     order by 1, 2`,
  );
}

/**
 * MikroORM creates an enum property (a column with a check of its values) as `text` whatever its `columnType`
 * (`SchemaHelper.createTableColumn` takes knex's `enum`), while its diff does compare the declared type: blog's
 * `article.status` is `varchar(16)` in the migration and in the entity, `text` only in what `createSchema` makes.
 * The entity says the type, so it is applied here, and the check of its values made again for it (Postgres keeps a
 * check's values typed as the column was when it was made); the column's other checks and indexes follow the type.
 */
async function applyEnumColumnTypes(db: ThrowawayDatabase): Promise<void> {
  const metas: EntityMetadata[] = Object.values(db.orm.getMetadata().getAll());
  for (const meta of metas) {
    for (const prop of meta.props) {
      const type = prop.columnTypes?.[0];
      if (!prop.enum || !type || type === 'text' || prop.nativeEnumName || !prop.items) continue;
      const column = prop.fieldNames[0]!;
      const check = `${meta.tableName}_${column}_check`;
      const values = prop.items.map((v) => `'${String(v).replaceAll("'", "''")}'`).join(', ');
      await db.sql(
        `alter table "${meta.tableName}" drop constraint "${check}", alter column "${column}" type ${type},
           add constraint "${check}" check ("${column}" in (${values}))`,
      );
    }
  }
}

/**
 * Makes the schema from the service's entities in an empty database of its own and compares it with the migrated
 * database's, limited to the tables the entities map (the user service keeps tables of its own outside the ORM;
 * `schemaDiff` with `dropTables` says whether there are any). Returns each line found on one side only.
 */
async function entitySchemaDifferences(migrated: ThrowawayDatabase, service: string, database: ServiceDatabase): Promise<string[]> {
  const fromEntities = await throwawayDatabase(`${service}_entities`, database, { migrate: false });
  try {
    await fromEntities.orm.schema.createSchema();
    await applyEnumColumnTypes(fromEntities);
    const made = await catalog(fromEntities);
    const mapped = new Set(made.map((r) => r.table));
    const expected = (await catalog(migrated)).filter((r) => mapped.has(r.table));
    const key = (r: { table: string; line: string }) => `${r.table}: ${r.line}`;
    const madeKeys = new Set(made.map(key));
    const expectedKeys = new Set(expected.map(key));
    return [
      ...[...expectedKeys].filter((k) => !madeKeys.has(k)).map((k) => `only migrated  ${k}`),
      ...[...madeKeys].filter((k) => !expectedKeys.has(k)).map((k) => `only entities  ${k}`),
    ];
  } finally {
    await fromEntities.drop();
  }
}

/**
 * Registers a service's "entities are the schema" tests on a migrated database of the test file's own: MikroORM's
 * diff is empty, and the schema the entities make is the migrated one. `ownTables: false` (a service whose
 * repositories use SQL and map only the outbox and inbox) leaves the tables no entity maps out of the diff.
 */
export function testEntitiesAreTheSchema(service: string, database: ServiceDatabase, options: { ownTables?: boolean } = {}): void {
  const ownTables = options.ownTables ?? true;
  const what = ownTables ? 'the entities' : 'the outbox and inbox entities';
  let migrated: ThrowawayDatabase;
  test.before(async () => {
    migrated = await throwawayDatabase(service, database);
  });
  test.after.always(async () => {
    await migrated?.drop();
  });
  test(`MikroORM finds nothing to change between ${what} and the migrated database`, async (t) => {
    const diff = await schemaDiff(migrated, { dropTables: ownTables });
    t.is(diff, '', `the entities and the migrations disagree; MikroORM would run:\n${diff}`);
  });
  test(`the schema ${what} make is the migrated one, index definitions and constraints included`, async (t) => {
    t.deepEqual(await entitySchemaDifferences(migrated, service, database), []);
  });
}
