import type { EntityManager } from '@mikro-orm/postgresql';
import { createProfileOnce } from '../db/profile.repository.js';
import type { UserRegistered } from '../domain/consumed-events.js';

/** user.registered → the account's profile exists here, at the account's first identity version (once). */
export async function registerProfile(tx: EntityManager, account: UserRegistered): Promise<void> {
  await createProfileOnce(tx, account.userId, account.username, account.version ?? 0);
}
