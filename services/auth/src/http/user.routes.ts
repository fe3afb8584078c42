import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { AppError, notFound, validationError } from '@vcd/errors';
import { defineRoute, requireIdentity } from '@vcd/http';
import { displayEmail, findAccountByEmail, findAccountById, findClaimsOfEmail, insertAccount, takenFields, updateAccount, type AccountRecord } from '../db/account.repository.js';
import { enqueueMail } from '../db/mail-outbox.repository.js';
import { issueOneTimeToken } from '../db/one-time-token.repository.js';
import { insertSession, revokeSessions } from '../db/session.repository.js';
import { EMAIL, normalizeEmail, PASSWORD, USERNAME } from '../domain/account-rules.js';
import { passwordChangedMail, signUpAttemptMail, verificationMail, type MailMessage } from '../domain/mail-messages.js';
import { newOpaqueToken } from '../domain/opaque-token.js';
import { accessTokenFor, clientIpOf, presentedToken, sessionExpiry, userAgentOf, userBody, type AuthRouteDeps } from './auth-deps.js';

export const UserSchema = z.object({
  email: z.string(),
  token: z.string(),
  username: z.string(),
  bio: z.string().nullable(),
  image: z.string().nullable(),
  refreshToken: z.string().optional().describe('Opaque refresh token (login, register, refresh only); rotate with POST /api/users/refresh'),
});
export const UserResponse = z.object({ user: UserSchema });

const TAG = ['User and Authentication'];
const taken = (field: 'email' | 'username') => validationError({ [field]: ['has already been taken'] });

export function userRoutes(deps: AuthRouteDeps) {
  const c = deps.config;

  /** The account, its first session, user.registered and the right mail, in one transaction. */
  const register = (input: { email: string; username: string; passwordHash: string; emailTaken: boolean; refreshHash: string; userAgent?: string }) =>
    deps.em().transactional(async (tx) => {
      const account = await insertAccount(tx, input);
      const session = await insertSession(tx, { accountId: account.id, refreshTokenHash: input.refreshHash, expiresAt: sessionExpiry(deps), userAgent: input.userAgent });
      if (input.emailTaken) {
        // The owner hears about it; this account never gets mail for an address it does not own.
        enqueueMail(tx, signUpAttemptMail(input.email, c.PUBLIC_BASE_URL));
      } else {
        const token = await issueOneTimeToken(tx, account.id, 'verify_email', c.VERIFICATION_TOKEN_TTL_MINUTES);
        enqueueMail(tx, verificationMail(input.email, account.username, c.PUBLIC_BASE_URL, token, c.VERIFICATION_TOKEN_TTL_MINUTES));
      }
      return { account, session };
    });

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
        422: { description: 'Invalid fields, or the username is taken' },
      },
      handler: async ({ body }, ctx) => {
        const { username, password } = body.user;
        const email = normalizeEmail(body.user.email);
        const before = await takenFields(deps.em(), email, username);
        if (before.username) throw taken('username'); // usernames are public (profiles): no secret to keep
        const passwordHash = await deps.hasher.hash(password);
        const refresh = newOpaqueToken();
        const input = { email, username, passwordHash, emailTaken: before.email, refreshHash: refresh.hash, userAgent: userAgentOf(ctx) };
        let created: Awaited<ReturnType<typeof register>>;
        try {
          created = await register(input);
        } catch (err) {
          if (!(err instanceof UniqueConstraintViolationException)) throw err;
          const now = await takenFields(deps.em(), email, username); // a concurrent registration won the race
          if (now.username || input.emailTaken) throw taken('username');
          created = await register({ ...input, emailTaken: true });
        }
        deps.afterCommit();
        await deps.createProfile({ userId: created.account.id, username: created.account.username });
        return { status: 201, body: userBody(created.account, accessTokenFor(deps, created.account, created.session.id), refresh.token) };
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
      request: { body: z.object({ user: z.object({ email: EMAIL, password: z.string({ error: "can't be blank" }).min(1, "can't be blank").max(1024) }) }) },
      responses: {
        200: { description: 'Logged in', schema: UserResponse },
        401: { description: 'Wrong e-mail or password (the same answer whether or not the account exists)' },
        429: { description: 'Too many failed attempts for this account or from this address (Retry-After)' },
      },
      handler: async ({ body }, ctx) => {
        const email = normalizeEmail(body.user.email);
        const ip = clientIpOf(ctx);
        await deps.throttles.assertLoginAllowed(email, ip);
        const em = deps.em();
        const [owner, claims] = await Promise.all([findAccountByEmail(em, email), findClaimsOfEmail(em, email)]);
        let account: AccountRecord | undefined;
        for (const claim of claims) {
          if (await deps.hasher.verify(claim.passwordHash, body.user.password)) {
            account = claim;
            break;
          }
        }
        // Always one verification against the owner's hash, or a dummy one when there is no owner.
        if (!account && (await deps.hasher.verify(owner?.passwordHash, body.user.password)) && owner) account = owner;
        if (!account) {
          await deps.throttles.loginFailed(email, ip);
          throw new AppError('AUTH.INVALID_CREDENTIALS', 401, 'Email or password is wrong');
        }
        await deps.throttles.loginSucceeded(email);
        const refresh = newOpaqueToken();
        const session = await insertSession(em, { accountId: account.id, refreshTokenHash: refresh.hash, expiresAt: sessionExpiry(deps), userAgent: userAgentOf(ctx) });
        return { body: userBody(account, accessTokenFor(deps, account, session.id), refresh.token) };
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
        const account = await findAccountById(deps.em(), requireIdentity(ctx).userId);
        if (!account) throw notFound('AUTH.ACCOUNT_NOT_FOUND', 'The account no longer exists');
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
            bio: z.string().max(10_000).nullable().optional(),
            image: z.string().max(2048).nullable().optional(),
          }),
        }),
      },
      responses: {
        200: { description: 'Updated; a new password signs out every other session', schema: UserResponse },
        401: { description: 'Not logged in' },
        422: { description: 'Invalid or taken fields' },
      },
      handler: async ({ body }, ctx) => {
        const identity = requireIdentity(ctx);
        const em = deps.em();
        const account = await findAccountById(em, identity.userId);
        if (!account) throw notFound('AUTH.ACCOUNT_NOT_FOUND', 'The account no longer exists');
        const username = body.user.username !== undefined && body.user.username !== account.username ? body.user.username : undefined;
        const email = body.user.email !== undefined && normalizeEmail(body.user.email) !== displayEmail(account) ? normalizeEmail(body.user.email) : undefined;
        if (username || email) {
          const clash = await takenFields(em, email ?? '', username ?? ''); // '' matches no row
          if (clash.username && username && username.toLowerCase() !== account.username.toLowerCase()) throw taken('username');
          if (clash.email) throw taken('email');
        }
        const passwordHash = body.user.password !== undefined ? await deps.hasher.hash(body.user.password) : undefined;
        let revocationEvent: string | undefined;
        try {
          await em.transactional(async (tx) => {
            const mails: MailMessage[] = [];
            if (passwordHash) {
              revocationEvent = (await revokeSessions(tx, account.id, { exceptSessionId: identity.sessionId }, 'password_change')).eventId;
              if (account.email) mails.push(passwordChangedMail(account.email, account.username, 'change'));
            }
            await updateAccount(tx, account, { username, email, passwordHash }, mails);
            if (email) {
              const token = await issueOneTimeToken(tx, account.id, 'verify_email', c.VERIFICATION_TOKEN_TTL_MINUTES);
              enqueueMail(tx, verificationMail(email, account.username, c.PUBLIC_BASE_URL, token, c.VERIFICATION_TOKEN_TTL_MINUTES));
            }
          });
        } catch (err) {
          if (err instanceof UniqueConstraintViolationException) throw validationError({ [username ? 'username' : 'email']: ['has already been taken'] });
          throw err;
        }
        deps.afterCommit(revocationEvent);
        // A fresh access token for the same session carries the new username.
        const token = username ? accessTokenFor(deps, account, identity.sessionId) : presentedToken(ctx);
        return { body: userBody(account, token) };
      },
    }),
  ];
}
