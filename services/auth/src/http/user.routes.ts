import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { AppError, notFound, validationError } from '@vcd/errors';
import { defineRoute, requireIdentity } from '@vcd/http';
import { createAccountWithSession, createSession, findAccountByEmail, findAccountById, takenFields } from '../db/account.repository.js';
import { signAccessToken, type SigningKey } from '../domain/access-token.js';
import { EMAIL, normalizeEmail, PASSWORD, USERNAME } from '../domain/account-rules.js';
import { newOpaqueToken } from '../domain/opaque-token.js';
import type { PasswordHasher } from '../domain/password-hasher.js';

export const UserSchema = z.object({
  email: z.string(),
  token: z.string(),
  username: z.string(),
  bio: z.string().nullable(),
  image: z.string().nullable(),
  refreshToken: z.string().optional(),
});

export interface UserRouteDeps {
  em: () => EntityManager;
  hasher: PasswordHasher;
  signingKey: () => SigningKey;
  jwt: { issuer: string; audience: string; ttlSeconds: number };
  refreshTtlDays: number;
  afterCommit: () => void;
}

type AccountLike = { id: string; email: string; username: string; role: 'user' | 'editor' | 'admin' };

export function userRoutes(deps: UserRouteDeps) {
  const issue = (account: AccountLike, sessionId: string) =>
    signAccessToken(deps.signingKey(), { sub: account.id, sid: sessionId, username: account.username, role: account.role }, deps.jwt);
  const userBody = (account: AccountLike, token: string, refreshToken?: string) => ({
    user: { email: account.email, token, username: account.username, bio: null, image: null, ...(refreshToken ? { refreshToken } : {}) },
  });
  const sessionExpiry = () => new Date(Date.now() + deps.refreshTtlDays * 86_400_000);

  return [
    defineRoute({
      method: 'post',
      path: '/api/users',
      operationId: 'CreateUser',
      summary: 'Register',
      tags: ['User and Authentication'],
      auth: 'public',
      style: 'realworld',
      request: { body: z.object({ user: z.object({ username: USERNAME, email: EMAIL, password: PASSWORD }) }) },
      responses: { 201: { description: 'Registered', schema: z.object({ user: UserSchema }) }, 422: { description: 'Invalid or taken fields' } },
      handler: async ({ body }, ctx) => {
        const { username, password } = body.user;
        const email = normalizeEmail(body.user.email);
        const taken = await takenFields(deps.em(), email, username);
        if (taken.email || taken.username) {
          throw validationError({
            ...(taken.email ? { email: ['has already been taken'] } : {}),
            ...(taken.username ? { username: ['has already been taken'] } : {}),
          });
        }
        const passwordHash = await deps.hasher.hash(password);
        const refresh = newOpaqueToken();
        try {
          const { account, session } = await createAccountWithSession(deps.em(), {
            email,
            username,
            passwordHash,
            refreshTokenHash: refresh.hash,
            sessionExpiresAt: sessionExpiry(),
            userAgent: ctx.get('user-agent') || undefined,
          });
          deps.afterCommit();
          return { status: 201, body: userBody(account, issue(account, session.id), refresh.token) };
        } catch (err) {
          if (err instanceof UniqueConstraintViolationException) throw validationError({ username: ['has already been taken'] });
          throw err;
        }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/login',
      operationId: 'Login',
      summary: 'Log in',
      tags: ['User and Authentication'],
      auth: 'public',
      style: 'realworld',
      request: { body: z.object({ user: z.object({ email: EMAIL, password: z.string({ error: "can't be blank" }).min(1, "can't be blank").max(1024) }) }) },
      responses: { 200: { description: 'Logged in', schema: z.object({ user: UserSchema }) }, 401: { description: 'Wrong email or password' } },
      handler: async ({ body }, ctx) => {
        const account = await findAccountByEmail(deps.em(), normalizeEmail(body.user.email));
        const ok = await deps.hasher.verify(account?.passwordHash, body.user.password);
        if (!account || !ok) throw new AppError('AUTH.INVALID_CREDENTIALS', 401, 'Email or password is wrong');
        const refresh = newOpaqueToken();
        const session = await createSession(deps.em(), account.id, refresh.hash, sessionExpiry(), ctx.get('user-agent') || undefined);
        return { body: userBody(account, issue(account, session.id), refresh.token) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/user',
      operationId: 'GetCurrentUser',
      summary: 'Get the current user',
      tags: ['User and Authentication'],
      auth: 'user',
      style: 'realworld',
      responses: { 200: { description: 'The current user', schema: z.object({ user: UserSchema }) }, 401: { description: 'Not logged in' } },
      handler: async (_input, ctx) => {
        const identity = requireIdentity(ctx);
        const account = await findAccountById(deps.em(), identity.userId);
        if (!account) throw notFound('AUTH.ACCOUNT_NOT_FOUND', 'The account no longer exists');
        const token = ctx.get('authorization').replace(/^(Token|Bearer)\s+/i, '');
        return { body: userBody(account, token) };
      },
    }),
  ];
}
