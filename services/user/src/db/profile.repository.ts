import type { EntityManager } from '@mikro-orm/postgresql';
import { Profile } from './profile.entity.js';

export const findProfileByUsername = (em: EntityManager, username: string) => em.findOne(Profile, { username });

/** Creates the profile of a new account; a second call for the same account changes nothing. */
export async function createProfileOnce(em: EntityManager, userId: string, username: string): Promise<void> {
  await em
    .getConnection()
    .execute(`insert into profile (id, username) values (?, ?) on conflict (id) do nothing`, [userId, username]);
}
