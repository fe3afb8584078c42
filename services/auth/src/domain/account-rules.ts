/** Addresses are compared and stored lower-case, without surrounding spaces. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();
