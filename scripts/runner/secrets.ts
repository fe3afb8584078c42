import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rateLimitRedisUrl, REDIS_PASSWORD_KEYS } from './redis-acl.js';

export type Secrets = Record<string, string>;

export const databaseName = (prefix: string, appId: string) => `${prefix}${appId}`;
export const databaseUrlKey = (appId: string) => `${appId}-database-url`;

const signingKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    private: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    public: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
};

/**
 * Generates the local secrets (read by daprd's local-file secret store) on first run and fills in any that a
 * newer version of the code expects. Never overwrites an existing value, except `redis-url`, which says where the
 * stack's own Redis listens.
 */
export async function ensureSecrets(
  file: string,
  options: { dbPrefix: string; dbApps: string[]; smtpPort: number; redis: { hostPort: string; db: number } },
): Promise<Secrets> {
  const existing: Secrets = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Secrets) : {};
  const secrets: Secrets = { ...existing };
  for (const appId of options.dbApps) {
    const key = databaseUrlKey(appId);
    if (!secrets[key]) {
      const role = databaseName(options.dbPrefix, appId);
      const password = randomBytes(18).toString('base64url');
      secrets[key] = `postgresql://${role}:${password}@127.0.0.1:5432/${role}`;
    }
  }
  if (!secrets['jwt-signing-key']) {
    const key = signingKey();
    const kid = `k-${randomBytes(6).toString('hex')}`;
    secrets['jwt-signing-key'] = JSON.stringify({ kid, alg: 'ES256', privateKeyPem: key.private });
    secrets['jwt-public-keys'] = JSON.stringify([{ kid, alg: 'ES256', publicKeyPem: key.public }]);
  }
  secrets['smtp-url'] ??= `smtp://127.0.0.1:${options.smtpPort}`;
  for (const key of Object.values(REDIS_PASSWORD_KEYS)) secrets[key] ??= randomBytes(24).toString('base64url');
  // Derived, not generated: the stack's Redis may move (free ports in tests), so this one is rewritten.
  secrets['redis-url'] = rateLimitRedisUrl(options.redis.hostPort, secrets[REDIS_PASSWORD_KEYS.ratelimit]!, options.redis.db);
  if (JSON.stringify(secrets) !== JSON.stringify(existing)) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  }
  return secrets;
}
