import { Redis } from 'ioredis';
import { bootService } from '@vcd/db';
import { relayHooks } from '@vcd/messaging';
import { buildApp } from './app.js';
import { profileCreator } from './clients/profile-client.js';
import { loadConfig } from './config.js';
import { authDatabase } from './db/orm.config.js';
import { parseSigningKey } from './domain/access-token.js';
import { parsePublicKeys } from './domain/jwks.js';
import { EmailBinding } from './mail/email-binding.js';
import { MailRelay } from './mail/mail-relay.js';

let stopExtras: () => Promise<void> = async () => undefined;

bootService({
  service: 'auth',
  loadConfig,
  database: authDatabase,
  buildApp: async ({ orm, logger, config, sidecar, relay }) => {
    const [signingKey, publicKeys, redisUrl] = await Promise.all([
      sidecar.getSecret('jwt-signing-key'),
      sidecar.getSecret('jwt-public-keys'),
      sidecar.getSecret('redis-url'),
    ]);
    // Offline queue off and a command timeout: a throttle check fails fast (and falls back to memory) instead of
    // waiting for a Redis that is down or hangs.
    const redis = new Redis(redisUrl!, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true, commandTimeout: 250 });
    redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis'));
    await redis.connect();
    const mailRelay = new MailRelay(
      { em: orm.em, binding: new EmailBinding(sidecar), logger },
      { pollMs: config.MAIL_POLL_MS, retentionMs: config.EVENT_RETENTION_DAYS * 86_400_000, sweepEveryMs: config.RETENTION_SWEEP_INTERVAL_MS },
    );
    mailRelay.start();
    stopExtras = async () => {
      await mailRelay.stop();
      redis.disconnect();
    };
    return buildApp({
      orm,
      logger,
      config,
      signingKey: parseSigningKey(signingKey!),
      publicKeys: parsePublicKeys(publicKeys!),
      redis,
      // Wired once: after a use case's unit of work commits, urgent events go out at once and the relays wake.
      commitHooks: relayHooks({ relays: [relay, mailRelay], publishNow: (id) => relay.publishNow([id]) }),
      createProfile: profileCreator({ sidecar, logger, timeoutMs: config.PROFILE_CREATE_TIMEOUT_MS }),
    });
  },
  onShutdown: () => stopExtras(),
});
