import { z } from 'zod';
import { isCommonPassword } from './common-passwords.js';

export const USERNAME = z
  .string({ error: "can't be blank" })
  .trim()
  .min(1, "can't be blank")
  .max(64, 'is too long (maximum is 64 characters)')
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, "_", "." and "-"');

export const EMAIL = z.string({ error: "can't be blank" }).trim().min(1, "can't be blank").max(254).email('is invalid');

/**
 * At least 8 characters; long passphrases are accepted whole (argon2 does not truncate; 1024 bounds the work);
 * no password from the common-password list.
 */
export const PASSWORD = z
  .string({ error: "can't be blank" })
  .min(8, 'is too short (minimum is 8 characters)')
  .max(1024, 'is too long (maximum is 1024 characters)')
  .refine((p) => !isCommonPassword(p), 'is too common (it appears in lists of leaked passwords)');

export const ROLE = z.enum(['user', 'editor', 'admin'], { error: 'must be one of user, editor, admin' });

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
