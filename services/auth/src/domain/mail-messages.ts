/** The mails the auth service sends, as plain text (links are where a frontend page takes over). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

const link = (baseUrl: string, page: string, token: string) => `${baseUrl.replace(/\/$/, '')}/${page}?token=${encodeURIComponent(token)}`;

export function verificationMail(to: string, username: string, baseUrl: string, token: string, ttlMinutes: number): MailMessage {
  return {
    to,
    subject: 'Confirm your e-mail address',
    text: `Hello ${username},\n\nplease confirm your e-mail address by opening this link:\n\n${link(baseUrl, 'verify-email', token)}\n\nThe link works once and expires in ${ttlMinutes} minutes. If you did not sign up, ignore this mail.\n`,
  };
}

export function passwordResetMail(to: string, baseUrl: string, token: string, ttlMinutes: number): MailMessage {
  return {
    to,
    subject: 'Reset your password',
    text: `Someone (hopefully you) asked to reset the password of the account with this address.\n\nChoose a new password here:\n\n${link(baseUrl, 'reset-password', token)}\n\nThe link works once and expires in ${ttlMinutes} minutes. If it was not you, ignore this mail; your password stays as it is.\n`,
  };
}

export function passwordChangedMail(to: string, username: string, how: 'reset' | 'change'): MailMessage {
  return {
    to,
    subject: 'Your password was changed',
    text: `Hello ${username},\n\nthe password of your account was ${how === 'reset' ? 'reset with an e-mailed link' : 'changed'}, and ${how === 'reset' ? 'every session was' : 'your other sessions were'} signed out.\nIf this was not you, reset your password now and contact support.\n`,
  };
}

/** Sent to the owner of an address when someone signs up with it (the sign-up itself looks like any other). */
export function signUpAttemptMail(to: string, baseUrl: string): MailMessage {
  return {
    to,
    subject: 'Someone tried to sign up with your address',
    text: `Someone just tried to create an account with this e-mail address, which already has one.\nIf it was you, log in instead, or reset your password at ${baseUrl.replace(/\/$/, '')}/reset-password.\nIf it was not you, you can ignore this mail; your account is unchanged.\n`,
  };
}

/** Sent to the address an account had, when its e-mail address changes (it can no longer reset the password). */
export function emailChangedMail(to: string, username: string, newAddress: string, baseUrl: string): MailMessage {
  return {
    to,
    subject: 'Your e-mail address was changed',
    text: `Hello ${username},\n\nthe e-mail address of your account was changed from this address to ${newAddress}. Password resets and other mails now go there.\nIf this was not you, your password is known to someone else: log in, change it and your address back, or contact support (${baseUrl.replace(/\/$/, '')}).\n`,
  };
}

/** Sent to the owner of an address when another account tries to change its e-mail to it (the change looks like any other). */
export function addressClaimAttemptMail(to: string, baseUrl: string): MailMessage {
  return {
    to,
    subject: 'Someone tried to use your address for their account',
    text: `Someone just tried to change the e-mail address of another account to this address, which already has an account.\nNothing was sent to you for them and your account is unchanged; they cannot receive mail here or reset your password.\nIf you did not expect this, you can ignore this mail, or reset your password at ${baseUrl.replace(/\/$/, '')}/reset-password.\n`,
  };
}
