import { randomBytes } from 'node:crypto';

export const SLUG_MAX_LENGTH = 100;

/** A URL-safe slug from a title: lower-case ASCII letters and digits joined by single dashes. */
export function slugify(title: string, maxLength = SLUG_MAX_LENGTH): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/, '');
  return slug || 'untitled';
}

/** Candidates for a unique slug: the plain one first, then the same with a short random suffix. */
export function* slugCandidates(title: string): Generator<string> {
  const base = slugify(title);
  yield base;
  for (;;) yield `${base}-${randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6)}`;
}
