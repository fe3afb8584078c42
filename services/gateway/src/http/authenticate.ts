import type { Context, Next } from 'koa';
import jwt from 'koa-jwt';
import { AppError } from '@vcd/errors';
import type { Identity, Role } from '@vcd/http';
import type { PublicKeyEntry } from '../domain/public-keys.js';

/** RealWorld sends `Authorization: Token <jwt>`; OAuth-style clients send `Bearer <jwt>`. Both work. */
export function tokenFromHeader(ctx: Context): string | null {
  const match = /^(Token|Bearer)\s+(\S+)$/i.exec(ctx.get('authorization'));
  return match ? match[2]! : null;
}

/**
 * Verifies access tokens with koa-jwt: ES256 only (no `none`, no HMAC confusion), our issuer and audience,
 * expiry, and a key chosen by `kid`. A request without a token goes on anonymously; a request with a bad token
 * is refused with 401 even on routes that allow anonymous access.
 */
export function authenticate(options: { keys: () => Map<string, PublicKeyEntry>; issuer: string; audience: string }) {
  const verify = jwt({
    secret: async (header: { kid?: string }) => {
      const entry = header?.kid ? options.keys().get(header.kid) : undefined;
      if (!entry) throw new Error('unknown key id');
      return entry.pem;
    },
    algorithms: ['ES256'],
    issuer: options.issuer,
    audience: options.audience,
    passthrough: true,
    key: 'jwt',
    getToken: tokenFromHeader,
  });
  return async function authenticateRequest(ctx: Context, next: Next) {
    await verify(ctx, async () => undefined);
    const hasToken = tokenFromHeader(ctx) !== null;
    const claims = ctx.state.jwt as { sub?: string; sid?: string; username?: string; role?: Role } | undefined;
    if (hasToken && (!claims?.sub || !claims.sid)) {
      throw new AppError('AUTH.INVALID_TOKEN', 401, 'The access token is invalid or expired');
    }
    if (claims?.sub) {
      const identity: Identity = { userId: claims.sub, username: claims.username ?? '', role: claims.role ?? 'user', sessionId: claims.sid! };
      ctx.state.identity = identity;
    }
    await next();
  };
}
