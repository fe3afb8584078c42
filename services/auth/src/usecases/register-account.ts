import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { insertAccount, takenFields } from '../db/account.repository.js';
import { enqueueMail } from '../db/mail-outbox.repository.js';
import { issueOneTimeToken } from '../db/one-time-token.repository.js';
import { insertSession } from '../db/session.repository.js';
import { normalizeEmail } from '../domain/account-rules.js';
import { AuthErrors } from '../domain/auth-errors.js';
import { signUpAttemptMail, verificationMail } from '../domain/mail-messages.js';
import { newOpaqueToken } from '../domain/opaque-token.js';
import { assertPasswordFits } from '../domain/password-policy.js';
import { sessionExpiry, type AuthDeps } from './auth-deps.js';

/**
 * Registers an account with its first session. The attempt is paid for first (per client address); a taken
 * username is a 422 (usernames are public), a taken address is not: the account only claims it and the owner is
 * told by mail, so the answer is the same either way.
 */
export async function registerAccount(deps: AuthDeps, input: { email: string; username: string; password: string; source: string; userAgent?: string }) {
  const c = deps.config;
  await deps.throttles.consumeRegistration(input.source);
  const { username, password } = input;
  const email = normalizeEmail(input.email);
  assertPasswordFits(password, { username, email });
  const before = await takenFields(deps.em(), email, username);
  if (before.username) throw AuthErrors.taken('username');
  const passwordHash = await deps.hasher.hash(password);
  const refresh = newOpaqueToken();

  /** The account, its first session, user.registered and the right mail, in one unit of work. */
  const create = (emailTaken: boolean) =>
    deps.work.run(async (tx, events) => {
      const account = await insertAccount(tx, { email, username, passwordHash, emailTaken });
      const expiresAt = sessionExpiry(deps);
      const session = await insertSession(tx, { accountId: account.id, refreshTokenHash: refresh.hash, expiresAt, userAgent: input.userAgent });
      events.emit('user.registered', { userId: account.id, username: account.username, email, version: account.version });
      if (emailTaken) {
        // The owner hears about it; this account never gets mail for an address it does not own.
        enqueueMail(tx, signUpAttemptMail(email, c.PUBLIC_BASE_URL));
      } else {
        const token = await issueOneTimeToken(tx, account.id, 'verify_email', c.VERIFICATION_TOKEN_TTL_MINUTES);
        enqueueMail(tx, verificationMail(email, account.username, c.PUBLIC_BASE_URL, token, c.VERIFICATION_TOKEN_TTL_MINUTES));
      }
      events.relayRowWritten();
      return { account, session: { id: session.id, expiresAt } };
    });

  let created: Awaited<ReturnType<typeof create>>;
  try {
    created = await create(before.email);
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    const now = await takenFields(deps.em(), email, username); // a concurrent registration won the race
    if (now.username || before.email) throw AuthErrors.taken('username');
    created = await create(true);
  }
  await deps.createProfile({ userId: created.account.id, username: created.account.username });
  return { ...created, refreshToken: refresh.token };
}
