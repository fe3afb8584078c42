import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { databaseName, databaseUrlKey, type Secrets } from './secrets.js';

const run = promisify(execFile);
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** Creates each service's role and database (owned by that role) when missing, and syncs the role password. */
export async function ensureDatabases(options: { adminUrl: string; dbPrefix: string; apps: string[]; secrets: Secrets; reset?: boolean }): Promise<void> {
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  try {
    for (const appId of options.apps) {
      const name = databaseName(options.dbPrefix, appId);
      const password = decodeURIComponent(new URL(options.secrets[databaseUrlKey(appId)]!).password);
      const role = await admin.query('select 1 from pg_roles where rolname = $1', [name]);
      await admin.query(`${role.rowCount ? 'alter' : 'create'} role ${ident(name)} with login password ${literal(password)}`);
      if (options.reset) await admin.query(`drop database if exists ${ident(name)} with (force)`);
      const db = await admin.query('select 1 from pg_database where datname = $1', [name]);
      if (!db.rowCount) await admin.query(`create database ${ident(name)} owner ${ident(name)}`);
    }
  } finally {
    await admin.end();
  }
}

/** Applies each app's pending migrations (its src/db/migrate.ts) against its own database, all at once. */
export async function migrateApps(apps: { appId: string; appDir: string }[], secrets: Secrets): Promise<void> {
  await Promise.all(
    apps.map((a) =>
      run(process.execPath, ['--import', 'tsx', 'src/db/migrate.ts'], {
        cwd: a.appDir,
        env: { ...process.env, DATABASE_URL: secrets[databaseUrlKey(a.appId)], LOG_LEVEL: 'warn' },
      }).catch((err: { stderr?: string; message: string }) => {
        throw new Error(`migrations for ${a.appId} failed:\n${err.stderr || err.message}`);
      }),
    ),
  );
}
