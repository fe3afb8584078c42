import test from 'ava';
import { passwordResetMail, verificationMail } from '../src/domain/mail-messages.js';
import { mailRetryDelayMs } from '../src/mail/mail-relay.js';

test('mailed links point at the public base URL and carry the token', (t) => {
  const mail = verificationMail('a@example.test', 'jake', 'https://blog.example/', 'tok_en-1', 60);
  t.regex(mail.text, /https:\/\/blog\.example\/verify-email\?token=tok_en-1\n/);
  t.regex(passwordResetMail('a@example.test', 'https://blog.example', 'abc', 30).text, /https:\/\/blog\.example\/reset-password\?token=abc/);
});

test('failed mails are retried with exponential backoff, capped at five minutes', (t) => {
  t.deepEqual([1, 2, 3, 4].map(mailRetryDelayMs), [1000, 2000, 4000, 8000]);
  t.is(mailRetryDelayMs(30), 300_000);
});
