/**
 * RealWorld clients put `image` straight into `<img src>`; a user who never set one has `image: null` in every
 * service's data, and the gateway fills in the default avatar on the way out (the one place that knows the
 * public URL it is served at). Pure functions: a JSON text from a service, or a body object the gateway built.
 */

/** `"image": null` as JSON writes it (any spacing); the match is kept only when its opening quote is not escaped. */
const NULL_IMAGE = /"image"\s*:\s*null/g;

/** True when the character at `offset` is preceded by an odd number of backslashes (escaped inside a string). */
const escapedAt = (text: string, offset: number) => {
  let n = 0;
  for (let i = offset - 1; i >= 0 && text.charCodeAt(i) === 92; i--) n++;
  return n % 2 === 1;
};

/**
 * Replaces every `"image":null` member of a valid JSON text with the default image. In valid JSON an unescaped
 * quote followed by `image":` can only open an object key, so text inside strings (a bio that quotes
 * `"image":null`) is never touched; escaped quotes are skipped.
 */
export function fillNullImagesInJson(text: string, url: string): string {
  if (!text.includes('"image"')) return text;
  const value = JSON.stringify(url);
  return text.replace(NULL_IMAGE, (match: string, offset: number) => (escapedAt(text, offset) ? match : `"image":${value}`));
}

/** The same for a body object the gateway composed: every own `image` member that is null, at any depth. */
export function fillNullImages<T>(body: T, url: string): T {
  const visit = (node: unknown, depth: number): void => {
    if (depth > 32 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (key === 'image' && value === null) record[key] = url;
      else visit(value, depth + 1);
    }
  };
  visit(body, 0);
  return body;
}
