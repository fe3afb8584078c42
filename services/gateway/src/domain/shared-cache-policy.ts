/**
 * Whether, and for how long, the gateway may keep an upstream answer for other anonymous readers: the upstream's
 * own word, as a shared cache reads it (RFC 9111 §5.2.2). Only `public` answers with an explicit `s-maxage` are
 * kept, never longer than `capMs`; `private`, `no-store` and `no-cache` (which asks for revalidation every time)
 * keep nothing, nor does any directive spelled wrongly. Pure: tested on its own.
 */
export function sharedLifetimeMs(cacheControl: string | null | undefined, capMs: number): number {
  if (!cacheControl || capMs <= 0) return 0;
  let isPublic = false;
  let sMaxAge: number | undefined;
  for (const part of cacheControl.split(',')) {
    const [rawName, ...rest] = part.split('=');
    const name = rawName!.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (name === 'public') isPublic = true;
    else if (name === 'private' || name === 'no-store' || name === 'no-cache') return 0;
    else if (name === 's-maxage') {
      if (!/^\d{1,9}$/.test(value) || sMaxAge !== undefined) return 0; // malformed or repeated: not trusted
      sMaxAge = Number(value);
    }
  }
  if (!isPublic || !sMaxAge) return 0;
  return Math.min(sMaxAge * 1000, capMs);
}

/** Methods that change nothing (RFC 9110 §9.2.1): every other one empties the cache once it has answered. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Does an answer to an unsafe request mean something may have changed? Yes unless the request was refused as a
 * client error (4xx: nothing was written). A 5xx may hide a write that committed (a timeout), so it counts.
 */
export const mayHaveWritten = (method: string, status: number): boolean => !SAFE_METHODS.has(method) && !(status >= 400 && status < 500);
