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
