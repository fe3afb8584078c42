import { AuthErrors } from './auth-errors.js';
import { isCommonPassword } from './common-passwords.js';

const PASSWORD_MIN = 8;
const PASSWORD_MAX = 1024;
/** Username and e-mail local parts shorter than this are not looked for inside passwords ("al" is in too many words). */
const CONTEXT_WORD_MIN = 4;

/**
 * What is wrong with a new password, NIST SP 800-63B style: length (8 to 1024 characters, counted as Unicode
 * code points; long passphrases are kept whole), not blank or whitespace only, not one character repeated, not
 * in the list of leaked passwords. No composition rules (digits, symbols) and no expiry. Each message says
 * exactly what to fix; an empty list means the password is acceptable on its own.
 */
export function passwordProblems(password: string): string[] {
  if (password.length === 0) return ["can't be blank"];
  if (/^\s+$/u.test(password)) return ["can't be only whitespace"];
  // Bound the work before counting code points (one code point is at most two UTF-16 units).
  const length = password.length > PASSWORD_MAX * 2 ? password.length : [...password].length;
  if (length > PASSWORD_MAX) return [`is too long (maximum is ${PASSWORD_MAX} characters)`];
  const problems: string[] = [];
  if (length < PASSWORD_MIN) problems.push(`is too short (minimum is ${PASSWORD_MIN} characters)`);
  if (length > 1 && new Set(password).size === 1) problems.push("can't be one character repeated");
  else if (isCommonPassword(password)) problems.push('is too common (it appears in lists of leaked passwords)');
  return problems;
}

/**
 * Context-specific words (NIST: "the username, the name of the service"): a password must not contain the
 * account's username or the local part of its e-mail address, compared case-insensitively, when those are at
 * least CONTEXT_WORD_MIN characters long.
 */
export function passwordContextProblems(password: string, account: { username?: string; email?: string }): string[] {
  const lower = password.toLowerCase();
  const problems: string[] = [];
  const username = account.username?.trim().toLowerCase();
  if (username && username.length >= CONTEXT_WORD_MIN && lower.includes(username)) problems.push("can't contain your username");
  const local = account.email?.trim().toLowerCase().split('@')[0];
  if (local && local.length >= CONTEXT_WORD_MIN && local !== username && lower.includes(local)) {
    problems.push("can't contain your e-mail address (the part before the @)");
  }
  return problems;
}

/** A new password must not contain the account's username or e-mail name (the rest is checked with the request). */
export function assertPasswordFits(password: string, account: { username?: string; email?: string }): void {
  const problems = passwordContextProblems(password, account);
  if (problems.length > 0) throw AuthErrors.invalid({ password: problems });
}
