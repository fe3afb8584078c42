import type { Context } from 'koa';
import { clientIp } from '../domain/client-ip.js';
import { sessionTokenFor, type AccountLike, type AuthDeps } from '../usecases/auth-deps.js';

/** What the auth routes need (the use cases' dependencies). */
export type AuthRouteDeps = AuthDeps;
export type { AccountLike };
export { sessionTokenFor };

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

/** The caller's address for throttling (x-forwarded-for believed from the gateway only). */
export const clientIpOf = (ctx: Context) => clientIp(ctx.get('x-forwarded-for') || undefined, ctx.state.caller === 'gateway');

export const userAgentOf = (ctx: Context) => ctx.get('user-agent') || undefined;

/** The access token the caller presented (GET/PUT /api/user answer it back, as RealWorld does). */
export const presentedToken = (ctx: Context) => ctx.get('authorization').replace(/^(Token|Bearer)\s+/i, '');

/** The `exp` of the presented token (the gateway verified it before forwarding), or undefined. */
export const presentedExpiry = (ctx: Context): number | undefined => {
  try {
    const exp = (JSON.parse(Buffer.from(presentedToken(ctx).split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
};
