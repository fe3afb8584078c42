import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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

/**
 * In ONE node process, applies each app's pending migrations against its own database, one app after the other:
 * each app's src/db/migrate.ts (through tsx), or src/db/migrate.js where the apps run compiled (`compiled`: appDir is
 * then the compiled copy). One process loads MikroORM and the shared packages once; three processes spent most of
 * their time loading the same modules (about 2 s of CPU each on this kind of machine).
 */
export async function migrateApps(apps: { appId: string; appDir: string }[], secrets: Secrets, compiled = false): Promise<void> {
  if (apps.length === 0) return;
  const plan = apps.map((a) => ({ appId: a.appId, url: secrets[databaseUrlKey(a.appId)], file: pathToFileURL(path.join(a.appDir, 'src/db', compiled ? 'migrate.js' : 'migrate.ts')).href }));
  // Each migrate script migrates the database DATABASE_URL names, at import (top-level await).
  const driver = `for (const step of JSON.parse(process.argv[1])) {
    process.env.DATABASE_URL = step.url;
    try { await import(step.file); } catch (err) { process.stderr.write('migrations for ' + step.appId + ' failed: ' + (err && err.stack || err) + '\\n'); process.exit(1); }
  }`;
  await run(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), '--input-type=module', '-e', driver, JSON.stringify(plan)], {
    cwd: apps[0]!.appDir,
    env: { ...process.env, LOG_LEVEL: 'warn' },
  }).catch((err: { stderr?: string; message: string }) => {
    throw new Error(`migrations failed:\n${err.stderr || err.message}`);
  });
}
