import type { Context, Next } from 'koa';
import jwt from 'koa-jwt';
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
export function authenticate(options: { keys: AuthKeys; sessions: SessionValidator; issuer: string; audience: string }) {
  const verify = jwt({
    secret: (header: { kid?: string; alg?: string }) => options.keys.keyFor(header ?? {}),
    algorithms: ['ES256'],
    issuer: options.issuer,
    audience: options.audience,
    passthrough: true,
    key: 'jwt',
    getToken: tokenFromHeader,
  });
  return async function authenticateRequest(ctx: Context, next: Next) {
    if (tokenFromHeader(ctx) === null) return next();
    await verify(ctx, async () => undefined);
    const claims = ctx.state.jwt as { sub?: string; sid?: string; username?: string; role?: Role; exp?: unknown } | undefined;
    // jsonwebtoken accepts a token without `exp` as never expiring; we never issue one, so it is forged or stale.
    if (!claims?.sub || !claims.sid || typeof claims.exp !== 'number') throw invalidToken();
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
