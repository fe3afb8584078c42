import type { ProfileCard } from '../clients/user-profiles.js';
import { GatewayErrors } from '../domain/gateway-errors.js';
import { jsonOf, type UpstreamAnswer } from '../domain/upstream-answer.js';
import type { Composed, CompositionDeps } from './compose-user.js';

export interface UserChanges {
  email?: string;
  username?: string;
  password?: string;
  /** Required by auth when `email` or `password` changes. */
  currentPassword?: string;
  bio?: string | null;
  image?: string | null;
}

/** The compensating step: puts bio and image back; a failure here is logged loudly. */
async function restoreProfile(deps: Pick<CompositionDeps, 'upstream' | 'log' | 'profiles'>, userId: string, before: ProfileCard): Promise<void> {
  try {
    const res = await deps.upstream('user', `/internal/profiles/${encodeURIComponent(userId)}`, { method: 'PUT', body: before });
    if (res.status !== 200) throw new Error(`user answered ${res.status}`);
  } catch (err) {
    deps.log.error({ err, userId }, 'PUT /api/user: could not put the profile back after auth refused');
  } finally {
    deps.profiles.forget(userId);
  }
}

/**
 * PUT /api/user: e-mail, username and password change in auth, bio and image in user. All or nothing across the
 * two services: the profile (easy to put back) changes first, then the account; if auth refuses or fails, the
 * profile is put back as it was, and the client gets auth's answer. A settings form sends back the image it was
 * shown: the default avatar is stored as "not set".
 */
export async function updateCurrentUser(deps: CompositionDeps & { defaultAvatarUrl: string }, caller: { userId: string }, changes: UserChanges): Promise<Composed> {
  const { bio, image: sent, ...credentials } = changes;
  const image = sent === deps.defaultAvatarUrl ? null : sent;
  if (Object.keys(changes).length === 0) throw GatewayErrors.emptyUserUpdate();
  const profileChange = { ...(bio !== undefined ? { bio } : {}), ...(image !== undefined ? { image } : {}) };
  const changesProfile = Object.keys(profileChange).length > 0;
  const changesCredentials = Object.keys(credentials).length > 0;
  // What to put back if auth refuses: the profile as the user service holds it now, never a kept copy.
  const before = changesProfile && changesCredentials ? await deps.profiles.cardOf(caller.userId, { fresh: true }) : undefined;
  let profile: ProfileCard | undefined;
  if (changesProfile) {
    const res = await deps.upstream('user', `/internal/profiles/${encodeURIComponent(caller.userId)}`, { method: 'PUT', body: profileChange });
    // Whatever the answer, the kept card may be stale now: the next read asks the user service.
    deps.profiles.forget(caller.userId);
    if (res.status !== 200) return { passThrough: res };
    const updated = (jsonOf(res) as { profile: ProfileCard }).profile;
    profile = { bio: updated.bio, image: updated.image }; // only what user owns: the name is auth's
  }
  let authRes: UpstreamAnswer;
  try {
    authRes = changesCredentials
      ? await deps.upstream('auth', '/api/user', { method: 'PUT', body: { user: credentials } })
      : await deps.upstream('auth', '/api/user', { method: 'GET' });
  } catch (err) {
    if (before) await restoreProfile(deps, caller.userId, before);
    throw err;
  }
  if (authRes.status !== 200) {
    if (before) await restoreProfile(deps, caller.userId, before);
    return { passThrough: authRes };
  }
  const authUser = (jsonOf(authRes) as { user: Record<string, unknown> }).user;
  return { user: { ...authUser, ...(profile ?? (await deps.profiles.cardOf(caller.userId))) } };
}
