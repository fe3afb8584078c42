import { DomainError } from '@vcd/errors/domain';

/**
 * The auth service's failures, with their stable codes. No HTTP here: the error middleware maps each kind to a
 * status (invalid 422, unauthenticated 401, not_found 404), and RealWorld clients read the field or subject.
 */
export const AuthErrors = {
  /** Input that breaks a rule, per field. */
  invalid: (fields: Record<string, string[]>, code?: string) => DomainError.invalid(fields, code),
  /** Usernames are public, so a taken one is said; a taken address never is (see register-account.ts). */
  taken: (field: 'email' | 'username') => DomainError.invalid({ [field]: ['has already been taken'] }),
  invalidCredentials: () =>
    DomainError.unauthenticated('AUTH.INVALID_CREDENTIALS', 'Email or password is wrong', { subject: 'email or password', reason: 'is invalid' }),
  /** A mailed token (verification, reset) that is unknown, used or expired. */
  badToken: () => DomainError.invalid({ token: ['is invalid, already used or expired'] }, 'AUTH.INVALID_TOKEN'),
  currentPasswordMissing: () =>
    DomainError.invalid(
      { currentPassword: ["can't be blank (changing the e-mail address or the password needs the current password)"] },
      'AUTH.CURRENT_PASSWORD_REQUIRED',
    ),
  currentPasswordWrong: () => DomainError.invalid({ currentPassword: ['is wrong'] }, 'AUTH.CURRENT_PASSWORD_WRONG'),
  invalidRefreshToken: () =>
    DomainError.unauthenticated('AUTH.INVALID_REFRESH_TOKEN', 'The refresh token is invalid, expired or revoked', {
      subject: 'refreshToken',
      reason: 'is invalid, expired or revoked',
    }),
  refreshTokenReused: () =>
    DomainError.unauthenticated('AUTH.REFRESH_TOKEN_REUSED', 'This refresh token was already used; the session has been revoked', {
      subject: 'refreshToken',
      reason: 'was already used; the session has been revoked',
    }),
  accountNotFound: () => DomainError.notFound('AUTH.ACCOUNT_NOT_FOUND', 'The account no longer exists', 'user'),
  userNotFound: () => DomainError.notFound('AUTH.USER_NOT_FOUND', 'No user with this username', 'user'),
  sessionNotFound: () => DomainError.notFound('AUTH.SESSION_NOT_FOUND', 'No active session with this id', 'session'),
};
