import { z } from 'zod';
import { validationError } from '@vcd/errors';

/**
 * Turns zod issues into RealWorld-style field errors: { "article.title": ["is required"] } becomes
 * { "title": [...] } for the envelope's inner fields, so clients see the field they sent. A field may be named
 * anything a client sent as a key ("constructor", "__proto__"): each is an own property of the result.
 */
export function fieldErrors(error: z.ZodError, stripEnvelope = true): Record<string, string[]> {
  const out = new Map<string, string[]>();
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    const field = (stripEnvelope && path.length > 1 ? path.slice(1) : path).join('.') || 'body';
    const message = issue.code === 'invalid_type' && issue.message.includes('received undefined') ? "can't be blank" : issue.message;
    out.set(field, [...(out.get(field) ?? []), message]);
  }
  return Object.fromEntries(out);
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, part: 'body' | 'query' | 'params' | 'headers'): z.infer<S> {
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (result.success) return result.data;
  throw validationError(fieldErrors(result.error, part === 'body'));
}

/**
 * A string field whose type errors read like the rest of the API: "can't be blank" when missing or null,
 * "must be a string" when it is something else (zod's own wording names JavaScript types).
 */
export const text = () =>
  z.string({ error: (issue) => (issue.code !== 'invalid_type' ? undefined : issue.input === undefined || issue.input === null ? "can't be blank" : 'must be a string') });
