import { call, type BenchUser } from './context.js';

const PASSWORD = 'correct horse battery 123';

/** The account id inside an access token (its `sub`). */
export const userIdOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;

export async function register(gw: string, username: string): Promise<BenchUser> {
  const email = `${username}@example.test`;
  const res = await call(gw, 'POST', '/api/users', { user: { username, email, password: PASSWORD } });
  const token = res.user.token as string;
  return { username, email, password: PASSWORD, token, id: userIdOf(token) };
}

/**
 * What the scenarios read and write: an author with 40 articles (2 KB bodies, tags `bench` and t0–t4), and a handful
 * of readers who follow the author and have favorited a few articles, so a signed-in page has flags to compute.
 */
export async function seed(gw: string, readerCount = 6): Promise<{ author: BenchUser; readers: BenchUser[]; slugs: string[]; tags: string[] }> {
  const author = await register(gw, 'benchauthor');
  const tags = ['t0', 't1', 't2', 't3', 't4'];
  const slugs: string[] = [];
  for (let i = 0; i < 40; i++) {
    const res = await call(gw, 'POST', '/api/articles', { article: { title: `Bench article ${i}`, description: 'd', body: 'b'.repeat(2000), tagList: ['bench', tags[i % 5]] } }, author.token);
    slugs.push(res.article.slug as string);
  }
  const readers: BenchUser[] = [];
  for (let i = 1; i <= readerCount; i++) {
    const reader = await register(gw, `benchreader${i}`);
    await call(gw, 'POST', `/api/profiles/${author.username}/follow`, undefined, reader.token);
    for (let k = 0; k < 3; k++) await call(gw, 'POST', `/api/articles/${slugs[(i * 7 + k * 3) % slugs.length]}/favorite`, undefined, reader.token);
    readers.push(reader);
  }
  return { author, readers, slugs, tags };
}
