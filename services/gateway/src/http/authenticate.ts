import type { Context, Next } from 'koa';
import jwt from 'koa-jwt';
import { LRUCache } from 'lru-cache';
import { recordCacheLookup } from '@vcd/telemetry';
import { AppError } from '@vcd/errors';
import type { Identity, Role } from '@vcd/http';
import type { AuthKeys } from '../clients/auth-keys.js';
import type { SessionValidator } from './session-validator.js';

/** RealWorld sends `Authorization: Token <jwt>`; OAuth-style clients send `Bearer <jwt>`. Both work. */
function tokenFromHeader(ctx: Context): string | null {
  const match = /^(Token|Bearer)\s+(\S+)$/i.exec(ctx.get('authorization'));
  return match ? match[2]! : null;
}

const invalidToken = () => new AppError('AUTH.INVALID_TOKEN', 401, 'The access token is invalid, expired or revoked', {
    subject: { subject: 'token', reason: 'is invalid, expired or revoked' },
  });

/**
 * Verifies access tokens with koa-jwt: ES256 only (no `none`, no HMAC key confusion), the key chosen by `kid`
 * from the auth service's JWKS (jose's remote key set, clients/auth-keys.ts), our issuer and audience, expiry; then asks whether the session is still alive
 * (cached ValidateToken). A request without a token goes on anonymously; a request with a bad token is refused
 * with 401 even on routes that allow anonymous access, so a client learns its token is bad.
 */
type Claims = { sub?: string; sid?: string; username?: string; role?: Role; exp?: unknown };

export function authenticate(options: { keys: AuthKeys; sessions: SessionValidator; issuer: string; audience: string; verifiedTokens?: number }) {
  const verify = jwt({
    secret: (header: { kid?: string; alg?: string }) => options.keys.keyFor(header ?? {}),
    algorithms: ['ES256'],
    issuer: options.issuer,
    audience: options.audience,
    passthrough: true,
    key: 'jwt',
    getToken: tokenFromHeader,
  });
  // Tokens whose signature and claims koa-jwt already verified, by their exact text, for at most a minute and never
  // past their `exp`: a signed-in request then costs no signature check (about 0.1 ms of CPU each). The session is
  // still checked on every request below; a key withdrawn from the JWKS stops its tokens within that minute.
  const verified = new LRUCache<string, Claims & { sub: string; sid: string; exp: number }>({ max: options.verifiedTokens ?? 10_000, ttl: 60_000 });
  return async function authenticateRequest(ctx: Context, next: Next) {
    const token = tokenFromHeader(ctx);
    if (token === null) return next();
    let claims = verified.get(token);
    if (claims && claims.exp * 1000 <= Date.now()) {
      verified.delete(token);
      claims = undefined;
    }
    recordCacheLookup('verified_tokens', !!claims);
    if (!claims) {
      await verify(ctx, async () => undefined);
      const fresh = ctx.state.jwt as Claims | undefined;
      // jsonwebtoken accepts a token without `exp` as never expiring; we never issue one, so it is forged or stale.
      if (!fresh?.sub || !fresh.sid || typeof fresh.exp !== 'number') throw invalidToken();
      claims = { ...fresh, sub: fresh.sub, sid: fresh.sid, exp: fresh.exp };
      verified.set(token, claims, { ttl: Math.max(1, Math.min(60_000, fresh.exp * 1000 - Date.now())) });
    }
    let session;
    try {
      session = await options.sessions.check(claims.sid, claims.sub);
    } catch (err) {
      throw new AppError('GATEWAY.AUTH_UNAVAILABLE', 503, 'Cannot verify the session right now, retry shortly', {
        cause: err,
        headers: { 'Retry-After': '1' },
        subject: { subject: 'session', reason: 'cannot be verified right now, retry shortly' },
      });
    }
    if (!session.valid) throw invalidToken();
    const identity: Identity = {
      userId: claims.sub,
      username: session.username || claims.username || '',
      role: session.role,
      sessionId: claims.sid,
    };
    ctx.state.identity = identity;
    await next();
  };
}
