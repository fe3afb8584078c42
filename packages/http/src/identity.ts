import type { Context } from 'koa';
import { forbidden, unauthorized } from '@vcd/errors';
import type { RouteAuth } from './route.js';

export type Role = 'user' | 'editor' | 'admin';

/** The caller as the gateway authenticated it. Services trust it only on calls that came from the gateway. */
export interface Identity {
  userId: string;
  username: string;
  role: Role;
  sessionId: string;
}

/** Headers the gateway sets after verifying a token (and strips from every client request). */
export const IDENTITY_HEADERS = {
  userId: 'x-auth-user-id',
  username: 'x-auth-username',
  role: 'x-auth-role',
  sessionId: 'x-auth-session-id',
} as const;

export const ROLE_RANK: Record<Role, number> = { user: 1, editor: 2, admin: 3 };

/** A role's rank; anything that is not one of the roles ("Admin", "constructor", "") ranks as user, never higher. */
const rankOf = (role: string): number => (Object.hasOwn(ROLE_RANK, role) ? ROLE_RANK[role as Role] : ROLE_RANK.user);

export function identityToHeaders(identity: Identity): Record<string, string> {
  return {
    [IDENTITY_HEADERS.userId]: identity.userId,
    [IDENTITY_HEADERS.username]: identity.username,
    [IDENTITY_HEADERS.role]: identity.role,
    [IDENTITY_HEADERS.sessionId]: identity.sessionId,
  };
}

export function identityFromHeaders(get: (name: string) => string): Identity | undefined {
  const userId = get(IDENTITY_HEADERS.userId);
  if (!userId) return undefined;
  const role = get(IDENTITY_HEADERS.role) as Role;
  return {
    userId,
    username: get(IDENTITY_HEADERS.username),
    role: Object.hasOwn(ROLE_RANK, role) ? role : 'user',
    sessionId: get(IDENTITY_HEADERS.sessionId),
  };
}

/** Checks a route's declared auth against the caller; throws 401/403. */
export function assertAuthorized(auth: RouteAuth, identity: Identity | undefined, caller: string | undefined): void {
  if (auth === 'internal') {
    if (!caller) throw forbidden('INTERNAL_ONLY', 'This route is only for other services');
    return;
  }
  if (auth === 'public' || auth === 'optional') return;
  if (!identity) throw unauthorized();
  if (rankOf(identity.role) < ROLE_RANK[auth]) {
    throw forbidden('INSUFFICIENT_ROLE', `This requires the ${auth} role`, { subject: 'role', reason: `must be ${auth} or higher` });
  }
}

export const identityOf = (ctx: Context): Identity | undefined => ctx.state.identity as Identity | undefined;
export const requireIdentity = (ctx: Context): Identity => {
  const identity = identityOf(ctx);
  if (!identity) throw unauthorized();
  return identity;
};
