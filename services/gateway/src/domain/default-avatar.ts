import { createHash } from 'node:crypto';

/** A neutral head-and-shoulders silhouette: shapes and fills only, no script, style, link or external reference. */
const DEFAULT_AVATAR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128" role="img" aria-label="Default avatar">
<rect width="128" height="128" fill="#dfe3e8"/>
<circle cx="64" cy="50" r="24" fill="#9aa5b1"/>
<path d="M20 120c4-26 22-40 44-40s40 14 44 40z" fill="#9aa5b1"/>
</svg>
`;

export const DEFAULT_AVATAR = Buffer.from(DEFAULT_AVATAR_SVG, 'utf8');
/** A strong validator: the hash of the bytes. */
export const DEFAULT_AVATAR_ETAG = `"${createHash('sha256').update(DEFAULT_AVATAR).digest('base64url').slice(0, 27)}"`;

/** Whether an If-None-Match list names this validator (weak or strong) or is `*`. */
export const matchesEtag = (ifNoneMatch: string, etag: string) =>
  ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag || tag.trim() === '*');
