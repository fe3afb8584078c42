import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '@vcd/logging';
import type { UnitOfWork } from '@vcd/messaging';
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
   * The one way a use case changes data and emits events or mails: one transaction, events to the outbox, relays
   * woken after commit, urgent events (session.revoked, user.role_changed) published at once (wired in main.ts).
   */
  work: UnitOfWork;
  /** The same, on another EntityManager (a fresh fork, to retry from reloaded rows). */
  workOn: (em: EntityManager) => UnitOfWork;
  /** Synchronous profile creation in the user service after registration (best effort). */
  createProfile: (user: { userId: string; username: string }) => Promise<boolean>;
}

export type AccountLike = { id: string; email?: string | null; claimedEmail?: string | null; username: string; role: 'user' | 'editor' | 'admin' };

const claimsOf = (account: AccountLike, sessionId: string) => ({ sub: account.id, sid: sessionId, username: account.username, role: account.role });

/** A short access token (ACCESS_TOKEN_TTL_SECONDS), as POST /api/users/refresh answers it. */
export const accessTokenFor = (deps: AuthDeps, account: AccountLike, sessionId: string) =>
  signAccessToken(deps.signingKey(), claimsOf(account, sessionId), {
    issuer: deps.config.JWT_ISSUER,
    audience: deps.config.JWT_AUDIENCE,
    ttlSeconds: deps.config.ACCESS_TOKEN_TTL_SECONDS,
  });

/**
 * A session token, as login and registration answer it (RealWorld clients know nothing of refresh tokens): it
 * expires with its session's maximum lifetime, and the gateway accepts it only while the session is alive (not
 * revoked, not idle; docs/adr/0013-sliding-sessions.md). `expiresAt` is a Date or seconds since the epoch.
 */
export const sessionTokenFor = (deps: AuthDeps, account: AccountLike, session: { id: string; expiresAt: Date | number }) =>
  signAccessToken(deps.signingKey(), claimsOf(account, session.id), {
    issuer: deps.config.JWT_ISSUER,
    audience: deps.config.JWT_AUDIENCE,
    expiresAt: typeof session.expiresAt === 'number' ? session.expiresAt : Math.floor(session.expiresAt.getTime() / 1000),
  });

/** When a new session ends at the latest, however much it is used. */
export const sessionExpiry = (deps: AuthDeps) => new Date(Date.now() + deps.config.SESSION_MAX_LIFETIME_DAYS * 86_400_000);

/** The idle and touch policy of sessions, as the session repository applies it. */
export const sessionPolicy = (deps: Pick<AuthDeps, 'config'>) => ({
  idleSeconds: deps.config.SESSION_IDLE_TIMEOUT_SECONDS,
  touchSeconds: deps.config.SESSION_TOUCH_INTERVAL_SECONDS,
});
