import { z } from 'zod';
import { AppError, notFound } from '@vcd/errors';
import { defineRoute, requireIdentity } from '@vcd/http';
import { findAccountById } from '../db/account.repository.js';
import { listActiveSessions, revokeSessions, rotateRefreshToken } from '../db/session.repository.js';
import { hashOpaqueToken, newOpaqueToken } from '../domain/opaque-token.js';
import { accessTokenFor, sessionPolicy, userBody, type AuthRouteDeps } from './auth-deps.js';
import { UserResponse } from './user.routes.js';

const TAG = ['Sessions'];
const invalidRefresh = () => new AppError('AUTH.INVALID_REFRESH_TOKEN', 401, 'The refresh token is invalid, expired or revoked', {
    subject: { subject: 'refreshToken', reason: 'is invalid, expired or revoked' },
  });

const SessionSchema = z.object({
  id: z.uuid(),
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string().describe('When the session ends unless it is used again (idle timeout or maximum lifetime)'),
  current: z.boolean().describe('The session of the access token used for this request'),
});

export function sessionRoutes(deps: AuthRouteDeps) {
  const revoke = async (accountId: string, which: { sessionId?: string }, reason: 'logout' | 'logout_all' | 'revoked') => {
    const { sessionIds, eventId } = await deps.em().transactional((tx) => revokeSessions(tx, accountId, which, reason));
    deps.afterCommit(eventId);
    return sessionIds;
  };

  return [
    defineRoute({
      method: 'post',
      path: '/api/users/refresh',
      operationId: 'RefreshToken',
      summary: 'Exchange a refresh token for a new access token and a new refresh token (rotation)',
      tags: TAG,
      auth: 'public',
      style: 'realworld',
      request: { body: z.object({ user: z.object({ refreshToken: z.string({ error: "can't be blank" }).min(1, "can't be blank").max(200) }) }) },
      responses: {
        200: { description: 'New tokens; the refresh token sent is now spent', schema: UserResponse },
        401: { description: 'Unknown, expired or revoked refresh token; reusing a spent one also revokes its whole session' },
      },
      handler: async ({ body }) => {
        const next = newOpaqueToken();
        const result = await rotateRefreshToken(deps.em(), hashOpaqueToken(body.user.refreshToken), next.hash, sessionPolicy(deps));
        if (result.kind === 'reused') {
          deps.afterCommit(result.eventId); // session.revoked goes out at once
          throw new AppError('AUTH.REFRESH_TOKEN_REUSED', 401, 'This refresh token was already used; the session has been revoked', {
            subject: { subject: 'refreshToken', reason: 'was already used; the session has been revoked' },
          });
        }
        if (result.kind !== 'rotated') throw invalidRefresh();
        const account = await findAccountById(deps.em(), result.accountId);
        if (!account) throw invalidRefresh();
        return { body: userBody(account, accessTokenFor(deps, account, result.sessionId), next.token) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/logout',
      operationId: 'Logout',
      summary: 'End this session (its access and refresh tokens stop working)',
      tags: TAG,
      auth: 'user',
      responses: { 204: { description: 'Logged out' }, 401: { description: 'Not logged in' } },
      handler: async (_input, ctx) => {
        const identity = requireIdentity(ctx);
        await revoke(identity.userId, { sessionId: identity.sessionId }, 'logout');
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/logout-all',
      operationId: 'LogoutEverywhere',
      summary: 'End every session of the current user, this one included',
      tags: TAG,
      auth: 'user',
      responses: { 204: { description: 'Every session ended' }, 401: { description: 'Not logged in' } },
      handler: async (_input, ctx) => {
        await revoke(requireIdentity(ctx).userId, {}, 'logout_all');
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/user/sessions',
      operationId: 'ListSessions',
      summary: 'List my active sessions',
      tags: TAG,
      auth: 'user',
      responses: { 200: { description: 'Active sessions, most recently used first', schema: z.object({ sessions: z.array(SessionSchema) }) }, 401: { description: 'Not logged in' } },
      handler: async (_input, ctx) => {
        const identity = requireIdentity(ctx);
        const sessions = await listActiveSessions(deps.em(), identity.userId, sessionPolicy(deps));
        return {
          body: {
            sessions: sessions.map((s) => ({
              id: s.id,
              userAgent: s.userAgent ?? null,
              createdAt: s.createdAt.toISOString(),
              lastUsedAt: s.lastUsedAt.toISOString(),
              expiresAt: s.endsAt.toISOString(),
              current: s.id === identity.sessionId,
            })),
          },
        };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/user/sessions/:id',
      operationId: 'RevokeSession',
      summary: 'End one of my sessions',
      tags: TAG,
      auth: 'user',
      request: { params: z.object({ id: z.uuid({ error: 'is not a session id' }) }) },
      responses: { 204: { description: 'Session ended' }, 401: { description: 'Not logged in' }, 404: { description: 'No such active session of mine' } },
      handler: async ({ params }, ctx) => {
        const ids = await revoke(requireIdentity(ctx).userId, { sessionId: params.id }, 'revoked');
        if (ids.length === 0) throw notFound('AUTH.SESSION_NOT_FOUND', 'No active session with this id', 'session');
        return { status: 204 };
      },
    }),
  ];
}
