/** Which notifications a user wants, e-mail digest on/off, and the language of texts sent to them. */
export interface Preferences {
  notifications: {
    /** A followed author published a post. */
    newPosts: boolean;
    /** Someone commented on your post or replied to your comment. */
    comments: boolean;
    /** Someone reacted to your post or comment. */
    reactions: boolean;
    /** Someone followed you. */
    followers: boolean;
  };
  emailDigest: boolean;
  language: string;
}

export type NotificationSetting = keyof Preferences['notifications'];

export const DEFAULT_PREFERENCES: Preferences = Object.freeze({
  notifications: Object.freeze({ newPosts: true, comments: true, reactions: true, followers: true }),
  emailDigest: false,
  language: 'en',
}) as Preferences;

/** Languages we have texts for (BCP 47 primary tags). */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'sv', 'ja', 'zh'] as const;

export interface PreferenceChanges {
  notifications?: Partial<Preferences['notifications']>;
  emailDigest?: boolean;
  language?: string;
}

/** Applies a partial change to the current preferences (absent fields keep their value). */
export function mergePreferences(current: Preferences, changes: PreferenceChanges): Preferences {
  return {
    notifications: { ...current.notifications, ...stripUndefined(changes.notifications ?? {}) },
    emailDigest: changes.emailDigest ?? current.emailDigest,
    language: changes.language ?? current.language,
  };
}

const stripUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
