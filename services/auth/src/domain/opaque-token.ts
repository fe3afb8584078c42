import { createHash, randomBytes } from 'node:crypto';

/** A 256-bit random token for the client, and the only thing we store: its SHA-256. */
export function newOpaqueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashOpaqueToken(token) };
}

export const hashOpaqueToken = (token: string) => createHash('sha256').update(token).digest('base64url');
