import { validationError } from '@vcd/errors';

/**
 * Text that no service should store or pass on: NUL (Postgres refuses it in text columns, which used to turn a
 * client's request into a 500) and UTF-16 surrogates that are not part of a pair (the Postgres driver silently
 * turns them into U+FFFD, so what is stored is not what was sent). With the `u` flag, paired surrogates are one
 * code point and do not match \p{Cs}: only lone ones do.
 */
const UNSAFE_TEXT = /[\u0000\p{Cs}]/u;

export const UNSAFE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

export const isSafeText = (s: string): boolean => !UNSAFE_TEXT.test(s);

/**
 * Every string (keys too) under `value` that is not safe text, as the field name a client sees: the path joined
 * with dots, the RealWorld envelope stripped for bodies (`article.title` → `title`), like fieldErrors does.
 */
export function unsafeTextFields(value: unknown, stripEnvelope = false): string[] {
  const found = new Set<string>();
  const name = (path: string[], fallback: string) => (stripEnvelope && path.length > 1 ? path.slice(1) : path).join('.') || fallback;
  const walk = (v: unknown, path: string[], depth: number) => {
    if (typeof v === 'string') {
      if (!isSafeText(v)) found.add(name(path, 'body'));
      return;
    }
    // JSON bodies are at most 64 KiB; the depth bound keeps a pathological nesting from costing a deep recursion.
    if (v === null || typeof v !== 'object' || depth > 64) return;
    for (const [k, child] of Object.entries(v)) {
      if (!isSafeText(k)) {
        found.add(name(path, 'body'));
        continue;
      }
      walk(child, [...path, k], depth + 1);
    }
  };
  walk(value, [], 0);
  return [...found];
}

/**
 * Refuses a request whose path parameters, query or JSON body hold unsafe text, naming each offending field
 * (422; RealWorld routes answer {"errors":{field:[…]}}). Runs before the route's own schema, for every declared
 * route of every service, so no handler ever sees such a string.
 */
export function assertSafeText(parts: { params?: unknown; query?: unknown; body?: unknown }): void {
  const fields = [...unsafeTextFields(parts.params), ...unsafeTextFields(parts.query), ...unsafeTextFields(parts.body, true)];
  if (fields.length === 0) return;
  throw validationError(Object.fromEntries(fields.map((f) => [f, [UNSAFE_TEXT_MESSAGE]])));
}
