import { z } from 'zod';
import { defineRoute, requireIdentity } from '@vcd/http';
import { listSessions } from '../usecases/list-sessions.js';
import { logOutEverywhere } from '../usecases/log-out-everywhere.js';
import { logOut } from '../usecases/log-out.js';
import { refreshSession } from '../usecases/refresh-session.js';
import { revokeSession } from '../usecases/revoke-session.js';
import { userBody, type AuthRouteDeps } from './auth-deps.js';
import { UserResponse } from './user.routes.js';

const TAG = ['Sessions'];

const SessionSchema = z.object({
  id: z.uuid(),
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string().describe('When the session ends unless it is used again (idle timeout or maximum lifetime)'),
  current: z.boolean().describe('The session of the access token used for this request'),
});

export function sessionRoutes(deps: AuthRouteDeps) {
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
        const { account, accessToken, refreshToken } = await refreshSession(deps, { refreshToken: body.user.refreshToken });
        return { body: userBody(account, accessToken, refreshToken) };
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
        await logOut(deps, requireIdentity(ctx));
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
        await logOutEverywhere(deps, requireIdentity(ctx));
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
        const sessions = await listSessions(deps, requireIdentity(ctx));
        return {
          body: {
            sessions: sessions.map((s) => ({
              id: s.id,
              userAgent: s.userAgent ?? null,
              createdAt: s.createdAt.toISOString(),
              lastUsedAt: s.lastUsedAt.toISOString(),
              expiresAt: s.endsAt.toISOString(),
              current: s.current,
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
        await revokeSession(deps, requireIdentity(ctx), params.id);
        return { status: 204 };
      },
    }),
  ];
}
