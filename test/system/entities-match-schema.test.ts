/**
 * Truthful data access (docs/adr/0018-data-access-per-service.md): where a service maps tables with MikroORM
 * entities, every mapped column exists in the migrated database with the same nullability, so the ORM never writes
 * or reads a column the migrations do not make. The user service maps none (SQL with typed rows). Indexes, checks
 * and defaults live in the migrations only.
 */
import test from 'ava';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfigFor, type ServiceDatabase } from '@vcd/db';
import { authDatabase } from '../../services/auth/src/db/orm.config.js';
import { blogDatabase } from '../../services/blog/src/db/orm.config.js';
import { userDatabase } from '../../services/user/src/db/orm.config.js';
import { query } from '../support/db.js';
import { stack } from '../support/stack.js';

const services: [service: 'auth' | 'blog' | 'user', db: ServiceDatabase][] = [['auth', authDatabase], ['blog', blogDatabase], ['user', userDatabase]];

for (const [service, db] of services) {
  test(`${service}: every column an entity maps exists in the migrated schema, with the same nullability`, async (t) => {
    const orm = await MikroORM.init({ ...ormConfigFor(db, stack().secrets[`${service}-database-url`]!, { min: 0, max: 1 }), connect: false });
    try {
      const columns = await query<{ table_name: string; column_name: string; is_nullable: 'YES' | 'NO' }>(
        service,
        `select table_name, column_name, is_nullable from information_schema.columns where table_schema = 'public'`,
      );
      const nullable = new Map(columns.map((c) => [`${c.table_name}.${c.column_name}`, c.is_nullable === 'YES']));
      const problems: string[] = [];
      let mapped = 0;
      for (const meta of Object.values(orm.getMetadata().getAll())) {
        if (meta.embeddable || meta.virtual || !meta.tableName) continue;
        for (const prop of meta.props) {
          if (prop.persist === false || !prop.fieldNames?.length || ['1:m', 'm:n'].includes(prop.kind)) continue;
          for (const field of prop.fieldNames) {
            mapped++;
            const key = `${meta.tableName}.${field}`;
            if (!nullable.has(key)) problems.push(`${meta.className}.${prop.name} → ${key} does not exist`);
            else if (!prop.primary && !!prop.nullable !== nullable.get(key)) problems.push(`${meta.className}.${prop.name} → ${key}: entity nullable ${!!prop.nullable}, column ${nullable.get(key)}`);
          }
        }
      }
      t.deepEqual(problems, []);
      t.true(mapped > 0, 'the outbox and inbox at least are mapped');
    } finally {
      await orm.close();
    }
  });
}

test('the user service maps no table of its own: its repositories use SQL with typed rows', (t) => {
  t.deepEqual(userDatabase.entities, []);
});
