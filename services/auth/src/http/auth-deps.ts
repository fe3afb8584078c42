import type { Context } from 'koa';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '@vcd/logging';
import type { AuthConfig } from '../config.js';
import { signAccessToken, type SigningKey } from '../domain/access-token.js';
import { clientIp } from '../domain/client-ip.js';
import type { Jwk } from '../domain/jwks.js';
import type { PasswordHasher } from '../domain/password-hasher.js';
import type { Throttles } from '../throttle/throttles.js';

/** What the auth routes need; app.ts builds it, tests can build their own. */
export interface AuthRouteDeps {
  em: () => EntityManager;
  hasher: PasswordHasher;
  signingKey: () => SigningKey;
  jwks: () => { keys: Jwk[] };
  throttles: Throttles;
  config: AuthConfig;
  logger: Logger;
  /**
   * Called after a transaction that wrote outbox events or mails committed; `urgentEventId` (a session.revoked
   * outbox row) is published at once instead of waiting its turn in the relay.
   */
  afterCommit: (urgentEventId?: string) => void;
  /** Synchronous profile creation in the user service after registration (best effort). */
  createProfile: (user: { userId: string; username: string }) => Promise<boolean>;
}

export type AccountLike = { id: string; email?: string | null; claimedEmail?: string | null; username: string; role: 'user' | 'editor' | 'admin' };

export const accessTokenFor = (deps: AuthRouteDeps, account: AccountLike, sessionId: string) =>
  signAccessToken(
    deps.signingKey(),
    { sub: account.id, sid: sessionId, username: account.username, role: account.role },
    { issuer: deps.config.JWT_ISSUER, audience: deps.config.JWT_AUDIENCE, ttlSeconds: deps.config.ACCESS_TOKEN_TTL_SECONDS },
  );

/** The RealWorld user object; bio and image belong to the user service (the gateway composes them). */
export const userBody = (account: AccountLike, token: string, refreshToken?: string) => ({
  user: {
    email: account.email ?? account.claimedEmail ?? '',
    token,
    username: account.username,
    bio: null,
    image: null,
    ...(refreshToken ? { refreshToken } : {}),
  },
});

export const sessionExpiry = (deps: AuthRouteDeps) => new Date(Date.now() + deps.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);

/** The caller's address for throttling (x-forwarded-for believed from the gateway only). */
export const clientIpOf = (ctx: Context) => clientIp(ctx.get('x-forwarded-for') || undefined, ctx.state.caller === 'gateway');

export const userAgentOf = (ctx: Context) => ctx.get('user-agent') || undefined;

/** The access token the caller presented (GET/PUT /api/user answer it back, as RealWorld does). */
export const presentedToken = (ctx: Context) => ctx.get('authorization').replace(/^(Token|Bearer)\s+/i, '');
