import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '@vcd/logging';
import type { AuthConfig } from '../config.js';
import { signAccessToken, type SigningKey } from '../domain/access-token.js';
import type { Jwk } from '../domain/jwks.js';
import type { PasswordHasher } from '../domain/password-hasher.js';
import type { Throttles } from '../throttle/throttles.js';

/** What the auth use cases and routes need; app.ts builds it, tests can build their own. */
export interface AuthDeps {
  em: () => EntityManager;
  hasher: PasswordHasher;
  signingKey: () => SigningKey;
  jwks: () => { keys: Jwk[] };
  throttles: Throttles;
  config: AuthConfig;
  logger: Logger;
  /**
   * Called after a transaction that wrote outbox events or mails committed; `urgentEventId` (a session.revoked
   * or user.role_changed outbox row) is published at once instead of waiting its turn in the relay.
   */
  afterCommit: (urgentEventId?: string) => void;
  /** Synchronous profile creation in the user service after registration (best effort). */
  createProfile: (user: { userId: string; username: string }) => Promise<boolean>;
}

export type AccountLike = { id: string; email?: string | null; claimedEmail?: string | null; username: string; role: 'user' | 'editor' | 'admin' };

export const accessTokenFor = (deps: AuthDeps, account: AccountLike, sessionId: string) =>
  signAccessToken(
    deps.signingKey(),
    { sub: account.id, sid: sessionId, username: account.username, role: account.role },
    { issuer: deps.config.JWT_ISSUER, audience: deps.config.JWT_AUDIENCE, ttlSeconds: deps.config.ACCESS_TOKEN_TTL_SECONDS },
  );

export const sessionExpiry = (deps: AuthDeps) => new Date(Date.now() + deps.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
