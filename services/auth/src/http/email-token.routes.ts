import { z } from 'zod';
import { validationError } from '@vcd/errors';
import { defineRoute, requireIdentity } from '@vcd/http';
import { enqueueEvent } from '@vcd/messaging';
import { findAccountByEmail, findAccountById } from '../db/account.repository.js';
import { enqueueMail } from '../db/mail-outbox.repository.js';
import { issueOneTimeToken, redeemOneTimeToken } from '../db/one-time-token.repository.js';
import { revokeSessions } from '../db/session.repository.js';
import { EMAIL, normalizeEmail, PASSWORD } from '../domain/account-rules.js';
import { passwordChangedMail, passwordResetMail, verificationMail } from '../domain/mail-messages.js';
import { hashOpaqueToken } from '../domain/opaque-token.js';
import { clientIpOf, type AuthRouteDeps } from './auth-deps.js';

const TOKEN = z.string({ error: "can't be blank" }).min(1, "can't be blank").max(200);
const badToken = () => validationError({ token: ['is invalid, already used or expired'] }, 'AUTH.INVALID_TOKEN');

/** E-mail verification (send on register, resend, confirm) and password reset (request, confirm). */
export function emailTokenRoutes(deps: AuthRouteDeps) {
  const c = deps.config;

  /** Runs after the 202 is sent, so the answer takes as long whether or not the address has an account. */
  const sendResetMail = async (email: string) => {
    const em = deps.em().fork();
    const account = await findAccountByEmail(em, email);
    if (!account?.email) return;
    await em.transactional(async (tx) => {
      const token = await issueOneTimeToken(tx, account.id, 'reset_password', c.RESET_TOKEN_TTL_MINUTES);
      enqueueMail(tx, passwordResetMail(account.email!, c.PUBLIC_BASE_URL, token, c.RESET_TOKEN_TTL_MINUTES));
      enqueueEvent(tx, 'user.password_reset_requested', { userId: account.id, email: account.email! });
    });
    deps.afterCommit();
  };

  return [
    defineRoute({
      method: 'post',
      path: '/api/users/verification',
      operationId: 'ResendVerification',
      summary: 'Send the e-mail verification link again',
      tags: ['E-mail verification'],
      auth: 'user',
      responses: {
        202: { description: 'A new link is on its way (earlier links stop working); nothing is sent if the address is verified already' },
        401: { description: 'Not logged in' },
        429: { description: 'Too many mails for this account (Retry-After)' },
      },
      handler: async (_input, ctx) => {
        const identity = requireIdentity(ctx);
        await deps.throttles.consumeVerificationMail(identity.userId);
        const em = deps.em();
        const account = await findAccountById(em, identity.userId);
        if (account?.email && !account.emailVerifiedAt) {
          await em.transactional(async (tx) => {
            const token = await issueOneTimeToken(tx, account.id, 'verify_email', c.VERIFICATION_TOKEN_TTL_MINUTES);
            enqueueMail(tx, verificationMail(account.email!, account.username, c.PUBLIC_BASE_URL, token, c.VERIFICATION_TOKEN_TTL_MINUTES));
          });
          deps.afterCommit();
        }
        return { status: 202 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/verification/confirm',
      operationId: 'ConfirmVerification',
      summary: 'Confirm an e-mail address with the token from the mailed link',
      tags: ['E-mail verification'],
      auth: 'public',
      style: 'realworld',
      request: { body: z.object({ token: TOKEN }) },
      responses: { 204: { description: 'Address verified' }, 422: { description: 'Unknown, used or expired token' } },
      handler: async ({ body }) => {
        const verified = await deps.em().transactional(async (tx) => {
          const accountId = await redeemOneTimeToken(tx, hashOpaqueToken(body.token), 'verify_email');
          if (!accountId) return false;
          await tx.execute(`update account set email_verified_at = coalesce(email_verified_at, now()), updated_at = now() where id = ?`, [accountId]);
          enqueueEvent(tx, 'user.verified', { userId: accountId });
          return true;
        });
        if (!verified) throw badToken();
        deps.afterCommit();
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/password-reset',
      operationId: 'RequestPasswordReset',
      summary: 'Mail a password-reset link (always 202, whether or not the address has an account)',
      tags: ['Password reset'],
      auth: 'public',
      style: 'realworld',
      request: { body: z.object({ user: z.object({ email: EMAIL }) }) },
      responses: { 202: { description: 'If the address has an account, a link is on its way' }, 422: { description: 'Not an e-mail address' }, 429: { description: 'Too many requests for this address or from this client (Retry-After)' } },
      handler: async ({ body }, ctx) => {
        const email = normalizeEmail(body.user.email);
        await deps.throttles.consumeResetRequest(email, clientIpOf(ctx));
        setImmediate(() => {
          sendResetMail(email).catch((err: unknown) => deps.logger.error({ err }, 'password reset: could not issue the token'));
        });
        return { status: 202 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/password-reset/confirm',
      operationId: 'ConfirmPasswordReset',
      summary: 'Set a new password with the token from the mailed link; every session ends',
      tags: ['Password reset'],
      auth: 'public',
      style: 'realworld',
      request: { body: z.object({ token: TOKEN, password: PASSWORD }) },
      responses: { 204: { description: 'Password changed, every session revoked, the owner notified' }, 422: { description: 'Unknown, used or expired token, or a weak password' } },
      handler: async ({ body }) => {
        const passwordHash = await deps.hasher.hash(body.password);
        const done = await deps.em().transactional(async (tx) => {
          const accountId = await redeemOneTimeToken(tx, hashOpaqueToken(body.token), 'reset_password');
          if (!accountId) return undefined;
          const [account] = (await tx.execute(
            `update account set password_hash = ?, email_verified_at = coalesce(email_verified_at, now()), updated_at = now() where id = ? returning email, username`,
            [passwordHash, accountId],
          )) as { email: string | null; username: string }[];
          await tx.execute(`update one_time_token set used_at = now() where account_id = ? and purpose = 'reset_password' and used_at is null`, [accountId]);
          const { eventId } = await revokeSessions(tx, accountId, {}, 'password_reset');
          if (account?.email) enqueueMail(tx, passwordChangedMail(account.email, account.username, 'reset'));
          return { eventId };
        });
        if (!done) throw badToken();
        deps.afterCommit(done.eventId);
        return { status: 204 };
      },
    }),
  ];
}
