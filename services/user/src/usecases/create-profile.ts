import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { createProfileOnce, findProfileById } from '../db/profile.repository.js';
import { UserErrors } from '../domain/user-errors.js';
import type { UserDeps } from './user-deps.js';

/**
 * Creates the profile of a new account (auth calls it right after registration; user.registered does the same
 * later); idempotent. A username another account still holds here (its rename is on its way) is a conflict.
 */
export async function createProfile(deps: Pick<UserDeps, 'em'>, input: { userId: string; username: string }) {
  const created = await createProfileOnce(deps.em(), input.userId, input.username).catch((err: unknown) => {
    if (err instanceof UniqueConstraintViolationException) throw UserErrors.usernameTaken(input.username);
    throw err;
  });
  const profile = await findProfileById(deps.em(), input.userId);
  return { created, profile: profile! };
}
