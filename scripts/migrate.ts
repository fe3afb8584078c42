/**
 * Applies pending migrations of every service to the development databases (the ones `npm start` uses), with
 * the database URLs from the local secrets file. `npm start` does this itself; this is for running it alone.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readManifest } from './runner/app-manifest.js';
import { databaseUrlKey } from './runner/secrets.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const secretsFile = process.env.SECRETS_FILE ?? path.join(root, '.secrets', 'secrets.json');
const secrets = JSON.parse(await readFile(secretsFile, 'utf8').catch(() => {
  process.stderr.write(`${secretsFile} not found: run \`npm start\` once to create the local secrets and databases\n`);
  process.exit(1);
})) as Record<string, string>;
const apps = (await readManifest(root)).apps.filter((a) => a.database);
for (const app of apps) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/db/migrate.ts'], {
    cwd: app.appDir,
    env: { ...process.env, DATABASE_URL: secrets[databaseUrlKey(app.appId)] },
  });
  process.stdout.write(stdout);
}
