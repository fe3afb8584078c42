import { findPreferences, savePreferences } from '../db/preference.repository.js';
import { mergePreferences, type PreferenceChanges } from '../domain/preferences.js';
import type { UserDeps } from './user-deps.js';

/** Changes some of the caller's preferences (absent fields keep their value); returns them all. */
export async function setPreferences(deps: Pick<UserDeps, 'work'>, caller: { userId: string }, changes: PreferenceChanges) {
  return deps.work.run(async (tx) => {
    const next = mergePreferences(await findPreferences(tx, caller.userId), changes);
    await savePreferences(tx, caller.userId, next);
    return next;
  });
}
