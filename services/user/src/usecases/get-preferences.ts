import { findPreferences } from '../db/preference.repository.js';
import type { UserDeps } from './user-deps.js';

/** The caller's preferences (the defaults until changed). */
export const getPreferences = (deps: Pick<UserDeps, 'em'>, caller: { userId: string }) => findPreferences(deps.em(), caller.userId);
