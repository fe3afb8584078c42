import { z } from 'zod';
import { defineRoute, requireIdentity } from '@vcd/http';
import { EMAIL, PASSWORD, TYPED_PASSWORD, USERNAME, text } from './account-fields.js';
import { getCurrentUser } from '../usecases/get-current-user.js';
import { logIn } from '../usecases/log-in.js';
import { registerAccount } from '../usecases/register-account.js';
import { updateCredentials } from '../usecases/update-credentials.js';
import { clientIpOf, presentedExpiry, presentedToken, sessionTokenFor, userAgentOf, userBody, type AuthRouteDeps } from './auth-deps.js';

const UserSchema = z.object({
  email: z.string(),
  token: z.string(),
  username: z.string(),
  bio: z.string().nullable(),
  image: z.string().nullable(),
  refreshToken: z.string().optional().describe('Opaque refresh token (login, register, refresh only); rotate with POST /api/users/refresh'),
});
export const UserResponse = z.object({ user: UserSchema });

const TAG = ['User and Authentication'];
const TOO_MANY = 'Too many attempts for this address from this client, or from this client (Retry-After)';

export function userRoutes(deps: AuthRouteDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/users',
      operationId: 'CreateUser',
      summary: 'Register',
      tags: TAG,
      auth: 'public',
      style: 'realworld',
      request: { body: z.object({ user: z.object({ username: USERNAME, email: EMAIL, password: PASSWORD }) }) },
      responses: {
        201: { description: 'Registered (also when the e-mail address already has an account: that owner is told by mail)', schema: UserResponse },
        422: { description: 'Invalid fields (a password containing the username or the e-mail name, too), or the username is taken' },
        429: { description: 'Too many registrations from this client address (Retry-After)' },
      },
      handler: async ({ body }, ctx) => {
        const created = await registerAccount(deps, { ...body.user, source: clientIpOf(ctx), userAgent: userAgentOf(ctx) });
        return { status: 201, body: userBody(created.account, await sessionTokenFor(deps, created.account, created.session), created.refreshToken) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/login',
      operationId: 'Login',
      summary: 'Log in',
      tags: TAG,
      auth: 'public',
      style: 'realworld',
      request: { body: z.object({ user: z.object({ email: EMAIL, password: TYPED_PASSWORD }) }) },
      responses: {
        200: { description: 'Logged in', schema: UserResponse },
        401: { description: 'Wrong e-mail or password (the same answer, after the same work, whether or not the account exists)' },
        429: { description: `${TOO_MANY}; or the address's attempts are being spaced out and the next slot is too far away` },
      },
      handler: async ({ body }, ctx) => {
        const { account, session, refreshToken } = await logIn(deps, { ...body.user, source: clientIpOf(ctx), userAgent: userAgentOf(ctx) });
        return { body: userBody(account, await sessionTokenFor(deps, account, session), refreshToken) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/user',
      operationId: 'GetCurrentUser',
      summary: 'Get the current user',
      tags: TAG,
      auth: 'user',
      style: 'realworld',
      responses: { 200: { description: 'The current user', schema: UserResponse }, 401: { description: 'Not logged in' } },
      handler: async (_input, ctx) => {
        const account = await getCurrentUser(deps, requireIdentity(ctx));
        return { body: userBody(account, presentedToken(ctx)) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/user',
      operationId: 'UpdateCurrentUser',
      summary: 'Update the current user (e-mail, username, password; bio and image belong to the profile)',
      tags: TAG,
      auth: 'user',
      style: 'realworld',
      request: {
        body: z.object({
          user: z.object({
            email: EMAIL.optional(),
            username: USERNAME.optional(),
            password: PASSWORD.optional(),
            currentPassword: text().max(1024, 'is too long (maximum is 1024 characters)').optional().describe('Required when email or password changes'),
            bio: z.string().max(10_000).nullable().optional(),
            image: z.string().max(2048).nullable().optional(),
          }),
        }),
      },
      responses: {
        200: {
          description: 'Updated; a new password signs out every other session; a new address gets a verification link and the old one a notice',
          schema: UserResponse,
        },
        401: { description: 'Not logged in' },
        422: { description: 'Invalid fields, a taken username, or a missing or wrong currentPassword (needed to change email or password)' },
        429: { description: `Too many wrong current passwords: ${TOO_MANY}` },
      },
      handler: async ({ body }, ctx) => {
        const identity = requireIdentity(ctx);
        const { bio: _bio, image: _image, ...change } = body.user;
        const { account, usernameChanged } = await updateCredentials(deps, { userId: identity.userId, sessionId: identity.sessionId, source: clientIpOf(ctx) }, change);
        // A fresh token for the same session carries the new username, and expires when the presented one would:
        // a session token stays one, a short access token stays short.
        const exp = presentedExpiry(ctx);
        const token = usernameChanged && exp ? await sessionTokenFor(deps, account, { id: identity.sessionId, expiresAt: exp }) : presentedToken(ctx);
        return { body: userBody(account, token) };
      },
    }),
  ];
}
