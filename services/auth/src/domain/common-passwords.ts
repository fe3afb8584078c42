import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The ~49,000 most common passwords from zxcvbn-ts's maintained list (@zxcvbn-ts/language-common), compared
 * case-insensitively ("Password1" is as guessable as "password1").
 */
const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

export const isCommonPassword = (password: string): boolean => COMMON.has(password.toLowerCase());
