import { DEFAULT_AVATAR, DEFAULT_AVATAR_ETAG, matchesEtag } from '../domain/default-avatar.js';

/**
 * The image of every user who has not set one, served by the gateway itself; `notModified` when the client's
 * validator (If-None-Match) still matches.
 */
export function getDefaultAvatar(ifNoneMatch: string): { notModified: boolean; etag: string; svg: Buffer } {
  return { notModified: matchesEtag(ifNoneMatch, DEFAULT_AVATAR_ETAG), etag: DEFAULT_AVATAR_ETAG, svg: DEFAULT_AVATAR };
}
