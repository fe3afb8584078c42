/**
 * The directives of a Cache-Control-like field by lower-cased name, or undefined when one is malformed or repeated
 * (such a field is not trusted at all).
 */
function directivesOf(field: string): Map<string, string> | undefined {
  const directives = new Map<string, string>();
  for (const part of field.split(',')) {
    const [rawName, ...rest] = part.split('=');
    const name = rawName!.trim().toLowerCase();
    if (!name) continue;
    if (directives.has(name)) return undefined;
    directives.set(name, rest.join('=').trim());
  }
  return directives;
}

/** A delta-seconds directive (`s-maxage`, `max-age`): a positive whole number, else 0 (not kept). */
function secondsOf(value: string | undefined): number {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : 0;
}

const REFUSALS = ['private', 'no-store', 'no-cache'];

/**
 * Whether, and for how long, the gateway may keep an upstream answer for other anonymous readers: the upstream's
 * own word, as a shared cache reads it (RFC 9111 §5.2.2). Only `public` answers with an explicit `s-maxage` are
 * kept, never longer than `capMs`; `private`, `no-store` and `no-cache` (which asks for revalidation every time)
 * keep nothing, nor does any directive spelled wrongly or repeated. Pure: tested on its own.
 */
export function sharedLifetimeMs(cacheControl: string | null | undefined, capMs: number): number {
  if (!cacheControl || capMs <= 0) return 0;
  const d = directivesOf(cacheControl);
  if (!d || !d.has('public') || REFUSALS.some((r) => d.has(r))) return 0;
  return Math.min(secondsOf(d.get('s-maxage')) * 1000, capMs);
}

/**
 * The field in which a service lets the gateway alone keep an answer made for ONE signed-in reader, and for how
 * long: `Gateway-Cache-Control: max-age=N` (a targeted Cache-Control field in the manner of RFC 9213, whose target
 * is this gateway; never passed on to a client). Such an answer is kept under the reader's verified identity and
 * served to that identity only. Browsers and other caches see the answer's own Cache-Control.
 */
export const GATEWAY_CACHE_CONTROL = 'gateway-cache-control';

/** How long the gateway may keep an answer for the identity it was made for (0: not at all). Pure. */
export function viewerLifetimeMs(gatewayCacheControl: string | null | undefined, capMs: number): number {
  if (!gatewayCacheControl || capMs <= 0) return 0;
  const d = directivesOf(gatewayCacheControl);
  if (!d || d.has('no-store') || d.has('no-cache')) return 0;
  return Math.min(secondsOf(d.get('max-age')) * 1000, capMs);
}

/** Methods that change nothing (RFC 9110 §9.2.1): every other one empties the cache once it has answered. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Does an answer to an unsafe request mean something may have changed? Yes unless the request was refused as a
 * client error (4xx: nothing was written). A 5xx may hide a write that committed (a timeout), so it counts.
 */
export const mayHaveWritten = (method: string, status: number): boolean => !SAFE_METHODS.has(method) && !(status >= 400 && status < 500);
