import type { EntityManager } from '@mikro-orm/postgresql';
import { DEFAULT_PREFERENCES, type Preferences } from '../domain/preferences.js';

interface PreferenceRow {
  notify_new_posts: boolean;
  notify_comments: boolean;
  notify_reactions: boolean;
  notify_followers: boolean;
  email_digest: boolean;
  language: string;
}

/** The column behind each notification setting. */
export const SETTING_COLUMN = {
  newPosts: 'notify_new_posts',
  comments: 'notify_comments',
  reactions: 'notify_reactions',
  followers: 'notify_followers',
} as const;

const toPreferences = (r: PreferenceRow): Preferences => ({
  notifications: { newPosts: r.notify_new_posts, comments: r.notify_comments, reactions: r.notify_reactions, followers: r.notify_followers },
  emailDigest: r.email_digest,
  language: r.language,
});

/** The user's preferences, or the defaults when they never saved any. */
export async function findPreferences(em: EntityManager, userId: string): Promise<Preferences> {
  const rows = (await em.execute(
    `select notify_new_posts, notify_comments, notify_reactions, notify_followers, email_digest, language from preference where user_id = ?`,
    [userId],
  )) as PreferenceRow[];
  return rows[0] ? toPreferences(rows[0]) : structuredClone(DEFAULT_PREFERENCES);
}

export async function savePreferences(em: EntityManager, userId: string, p: Preferences): Promise<void> {
  const n = p.notifications;
  await em.execute(
    `insert into preference (user_id, notify_new_posts, notify_comments, notify_reactions, notify_followers, email_digest, language, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, now())
     on conflict (user_id) do update set notify_new_posts = excluded.notify_new_posts, notify_comments = excluded.notify_comments,
       notify_reactions = excluded.notify_reactions, notify_followers = excluded.notify_followers,
       email_digest = excluded.email_digest, language = excluded.language, updated_at = now()`,
    [userId, n.newPosts, n.comments, n.reactions, n.followers, p.emailDigest, p.language],
  );
}
