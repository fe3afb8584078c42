import { z } from 'zod';
import { defineRoute, requireIdentity } from '@vcd/http';
import { requestPasswordReset } from '../usecases/request-password-reset.js';
import { resendVerification } from '../usecases/resend-verification.js';
import { resetPassword } from '../usecases/reset-password.js';
import { verifyEmail } from '../usecases/verify-email.js';
import { EMAIL, PASSWORD, text } from './account-fields.js';
import { clientIpOf, type AuthRouteDeps } from './auth-deps.js';

const TOKEN = text().min(1, "can't be blank").max(200, 'is too long (maximum is 200 characters)');

/** E-mail verification (send on register, resend, confirm) and password reset (request, confirm). */
export function emailTokenRoutes(deps: AuthRouteDeps) {
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
        await resendVerification(deps, requireIdentity(ctx));
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
        await verifyEmail(deps, body);
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
      responses: {
        202: { description: 'If the address has an account, a link is on its way (links mailed earlier stay valid until one is used)' },
        422: { description: 'Not an e-mail address' },
        429: { description: 'Too many requests for this address from this client, or from this client, or the address is being spaced out (Retry-After)' },
      },
      handler: async ({ body }, ctx) => {
        await requestPasswordReset(deps, { email: body.user.email, source: clientIpOf(ctx) });
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
      responses: {
        204: { description: 'Password changed, every session revoked, the owner notified' },
        422: { description: 'Unknown, used or expired token, or a weak password (the token stays usable then)' },
      },
      handler: async ({ body }) => {
        await resetPassword(deps, body);
        return { status: 204 };
      },
    }),
  ];
}
