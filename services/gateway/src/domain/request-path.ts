/**
 * What the gateway accepts as a public request path and query, before any route is matched. Everything a
 * proxy, a sidecar or an app could read differently from us is refused here: dot-segments in any spelling
 * (raw, percent-encoded in any case, encoded several times), encoded slashes and backslashes, control
 * characters and NUL, malformed percent-encoding (which is also how a lone surrogate arrives in a URL).
 */

/** Why a path or query was refused; the HTTP layer turns it into a 400 that names the part. */
export class RejectedRequestTarget extends Error {
  override name = 'RejectedRequestTarget';
  constructor(
    readonly part: string,
    readonly reason: string,
  ) {
    super(`${part} ${reason}`);
  }
}

const MAX_DECODE_ROUNDS = 4;
// C0 controls, DEL and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Decodes percent-encoding once; undefined when the encoding is malformed or is not UTF-8. */
function decodeOnce(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Whether a string contains something no path segment, parameter or field may carry. */
function unsafeTextReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (CONTROL.test(text)) return 'must not contain control characters';
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired surrogates';
  return undefined;
}

/**
 * Checks one raw segment in every decoded form it can take, and returns its value decoded once (the value a
 * route parameter has). Double encoding counts: `%252e%252e` is refused like `..`.
 */
function decodeSegment(raw: string): string {
  if (raw.includes('\\')) throw new RejectedRequestTarget('path', 'must not contain backslashes');
  let current = raw;
  let once: string | undefined;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    if (current === '.' || current === '..') throw new RejectedRequestTarget('path', 'must not contain dot-segments');
    const unsafe = unsafeTextReason(current);
    if (unsafe) throw new RejectedRequestTarget('path', unsafe);
    if (round > 0 && (current.includes('/') || current.includes('\\'))) {
      throw new RejectedRequestTarget('path', 'must not contain encoded slashes or backslashes');
    }
    if (!current.includes('%')) break;
    const next = decodeOnce(current);
    if (next === undefined) {
      if (round === 0) throw new RejectedRequestTarget('path', 'has malformed percent-encoding');
      break; // refused below: a decoded value may not hold '%'
    }
    once ??= next;
    current = next;
  }
  // daprd percent-decodes an invocation's method and refuses '?' and '#' in it (a 500 of its own): a parameter
  // carrying one can never reach a service intact, so it is the client's error, said here.
  if (once !== undefined && /[?#]/.test(once)) throw new RejectedRequestTarget('path', 'must not contain encoded "?" or "#"');
  // An encoded '%' is double encoding: daprd decodes once more on the way, so the service would read another value.
  if (once !== undefined && once.includes('%')) throw new RejectedRequestTarget('path', 'must not contain an encoded "%" (double encoding)');
  return once ?? raw;
}

/**
 * Splits a raw request path (as the client sent it, still percent-encoded) into decoded segments, or throws
 * RejectedRequestTarget. One trailing slash is ignored; empty segments are kept (so `//` matches no route).
 */
export function parseRequestPath(rawPath: string): string[] {
  if (!rawPath.startsWith('/')) throw new RejectedRequestTarget('path', 'must start with /');
  const trimmed = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  return trimmed.slice(1).split('/').map(decodeSegment);
}

/**
 * Checks a raw query string: every name and value must decode (as a form would: `+` is a space) and carry no
 * NUL, control character or lone surrogate. Returns nothing; throws RejectedRequestTarget naming the parameter.
 */
export function checkQueryString(rawQuery: string): void {
  if (!rawQuery) return;
  for (const pair of rawQuery.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const name = decodeOnce(rawName.replace(/\+/g, ' '));
    if (name === undefined) throw new RejectedRequestTarget('query', 'has a parameter name with malformed percent-encoding');
    const nameProblem = unsafeTextReason(name);
    if (nameProblem) throw new RejectedRequestTarget('query', `parameter names ${nameProblem}`);
    const value = decodeOnce(rawValue.replace(/\+/g, ' '));
    if (value === undefined) throw new RejectedRequestTarget(`query.${name}`, 'has malformed percent-encoding');
    const valueProblem = unsafeTextReason(value);
    if (valueProblem) throw new RejectedRequestTarget(`query.${name}`, valueProblem);
  }
}
