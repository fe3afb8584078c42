/** Which service owns a public path. Paths are forwarded unchanged through Dapr service invocation. */
const TABLE: [RegExp, string][] = [
  [/^\/api\/users(\/|$)/, 'auth'],
  [/^\/api\/user\/(preferences|notifications)(\/|$)/, 'user'],
  [/^\/api\/user(\/|$)/, 'auth'],
  [/^\/api\/admin\/users(\/|$)/, 'auth'],
  [/^\/api\/profiles(\/|$)/, 'user'],
  [/^\/api\/(articles|tags|categories)(\/|$)/, 'blog'],
];

export const DOWNSTREAM_APPS = ['auth', 'blog', 'user'] as const;

export function ownerOf(path: string): string | undefined {
  return TABLE.find(([re]) => re.test(path))?.[1];
}
