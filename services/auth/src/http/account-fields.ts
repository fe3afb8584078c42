import { z } from 'zod';
import { passwordProblems } from '../domain/password-policy.js';

/**
 * The account fields as requests carry them (validated at the edge, documented in the OpenAPI document).
 * A required string field: a missing or null value "can't be blank", any other type (a JSON number, an object)
 * "must be a string". Checks chained on it carry their own messages.
 */
export const text = () =>
  z.string({ error: (issue) => (issue.code !== 'invalid_type' ? undefined : issue.input === undefined || issue.input === null ? "can't be blank" : 'must be a string') });

export const USERNAME = text()
  .trim()
  .min(1, "can't be blank")
  .max(64, 'is too long (maximum is 64 characters)')
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, "_", "." and "-"');

export const EMAIL = text().trim().min(1, "can't be blank").max(254, 'is too long (maximum is 254 characters)').email('is invalid');

/** A new password (register, change, reset): the rules of password-policy.ts that need no account. */
export const PASSWORD = text().superRefine((password, ctx) => {
  for (const message of passwordProblems(password)) ctx.addIssue({ code: 'custom', message });
});

/** A password being checked (login, current password): any string the client typed, bounded. */
export const TYPED_PASSWORD = text().min(1, "can't be blank").max(1024, 'is too long (maximum is 1024 characters)');

export const ROLE = z.enum(['user', 'editor', 'admin'], { error: 'must be one of user, editor, admin' });
