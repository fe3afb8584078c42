import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { displayEmail, findAccountById, takenFields, updateAccount, type AccountRecord } from '../db/account.repository.js';
import { enqueueMail } from '../db/mail-outbox.repository.js';
import { issueOneTimeToken } from '../db/one-time-token.repository.js';
import { normalizeEmail } from '../domain/account-rules.js';
import { AuthErrors } from '../domain/auth-errors.js';
import { addressClaimAttemptMail, emailChangedMail, passwordChangedMail, verificationMail, type MailMessage } from '../domain/mail-messages.js';
import { assertPasswordFits } from '../domain/password-policy.js';
import type { AuthDeps } from './auth-deps.js';
import { endSessions } from './end-sessions.js';

export interface CredentialChange {
  email?: string;
  username?: string;
  password?: string;
  /** Needed when the e-mail address or the password changes. */
  currentPassword?: string;
}

/**
 * Changes the username, e-mail address and/or password of the caller's account.
 *
 * - Changing the address or the password needs the current password (a stolen access token alone cannot take the
 *   account over); it is checked under the same throttles as a login. Username changes do not need it.
 * - A new address gets a verification link; the old one is told of the change. When another account owns the new
 *   address, the change is answered exactly the same, but this account only claims the address (as at sign-up)
 *   and its owner is told instead: the answer never reveals who uses an address.
 * - A new password signs out every other session and tells the owner.
 * - A new username or shown address raises the account's identity version; user.updated carries it, so consumers
 *   keep the newest identity however the events are reordered.
 */
export async function updateCredentials(deps: AuthDeps, caller: { userId: string; sessionId: string; source: string }, change: CredentialChange) {
  const c = deps.config;
  const em = deps.em();
  const account = await findAccountById(em, caller.userId);
  if (!account) throw AuthErrors.accountNotFound();
  const username = change.username !== undefined && change.username !== account.username ? change.username : undefined;
  const newEmail = change.email !== undefined ? normalizeEmail(change.email) : undefined;
  const email = newEmail !== undefined && newEmail !== displayEmail(account).toLowerCase() ? newEmail : undefined;

  if (email !== undefined || change.password !== undefined) await checkCurrentPassword(deps, account, change.currentPassword, caller.source);
  if (change.password !== undefined) assertPasswordFits(change.password, { username: username ?? account.username, email: email ?? displayEmail(account) });
  let emailTaken = false;
  if (username || email) {
    const clash = await takenFields(em, email ?? '', username ?? ''); // '' matches no row
    if (clash.username && username && username.toLowerCase() !== account.username.toLowerCase()) throw AuthErrors.taken('username');
    emailTaken = clash.email;
  }
  const passwordHash = change.password !== undefined ? await deps.hasher.hash(change.password) : undefined;

  const apply = (on: EntityManager, account: AccountRecord, emailOwned: boolean) =>
    deps.workOn(on).run(async (tx, events) => {
      const mails: MailMessage[] = [];
      const oldAddress = account.email; // only an owned address is ever mailed
      if (passwordHash) {
        await endSessions(tx, events, account.id, { exceptSessionId: caller.sessionId }, 'password_change');
        if (oldAddress) mails.push(passwordChangedMail(oldAddress, account.username, 'change'));
      }
      if (email !== undefined) {
        if (oldAddress) mails.push(emailChangedMail(oldAddress, username ?? account.username, email, c.PUBLIC_BASE_URL));
        if (!emailOwned) mails.push(addressClaimAttemptMail(email, c.PUBLIC_BASE_URL));
      }
      const { identityVersion } = await updateAccount(tx, account, {
        username,
        email: email !== undefined ? { address: email, owned: emailOwned } : undefined,
        passwordHash,
      });
      if (identityVersion !== undefined) {
        events.emit('user.updated', { userId: account.id, username: account.username, email: displayEmail(account), version: identityVersion });
      }
      for (const mail of mails) enqueueMail(tx, mail);
      if (email !== undefined && emailOwned) {
        const token = await issueOneTimeToken(tx, account.id, 'verify_email', c.VERIFICATION_TOKEN_TTL_MINUTES);
        enqueueMail(tx, verificationMail(email, account.username, c.PUBLIC_BASE_URL, token, c.VERIFICATION_TOKEN_TTL_MINUTES));
      }
      events.relayRowWritten();
    });

  let updated = account;
  try {
    await apply(em, account, !emailTaken);
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    // A concurrent change or registration took the username or the address in between: start again from the row.
    const fresh = em.fork({ clear: true });
    const now = await takenFields(fresh, email ?? '', username ?? '');
    if (now.username && username) throw AuthErrors.taken('username');
    const reloaded = await findAccountById(fresh, account.id);
    if (!now.email || email === undefined || emailTaken || !reloaded) throw err;
    updated = reloaded;
    await apply(fresh, reloaded, false);
  }
  return { account: updated, usernameChanged: username !== undefined };
}

/** The current password, checked like a login (same budgets, same slowdown) so a stolen token cannot guess it freely. */
async function checkCurrentPassword(deps: AuthDeps, account: AccountRecord, currentPassword: string | undefined, source: string): Promise<void> {
  if (!currentPassword) throw AuthErrors.currentPasswordMissing();
  const check = await deps.throttles.beginPasswordCheck(displayEmail(account).toLowerCase(), source);
  if (!(await deps.hasher.verify(account.passwordHash, currentPassword))) throw AuthErrors.currentPasswordWrong();
  await check.succeeded(account.email !== null);
}
