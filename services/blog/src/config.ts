import { durationMs, messagingEnv, parseConfig, sidecarEnv, z } from '@vcd/config';

/** An absolute http(s) URL without query or fragment, its trailing slashes dropped. */
const absoluteUrl = (what: string) =>
  z
    .string()
    .refine((s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash && !u.username && !u.password;
      } catch {
        return false;
      }
    }, `must be an absolute http(s) URL of ${what}, without query, fragment or credentials`)
    .transform((s) => s.replace(/\/+$/, ''));

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseConfig(
    'blog',
    z.object({
      ...sidecarEnv,
      ...messagingEnv,
      /** How often the post scheduler looks for scheduled articles that are due (ADR 5). */
      SCHEDULER_POLL_MS: durationMs(1000),
      /** How long author cards for anonymous readers are reused (0: always ask the user service). */
      AUTHOR_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
      /**
       * How long whom a viewer follows is reused for their pages (0: ask the user service on every page). The user
       * service's follow events drop it at once; this bounds the staleness when an event is late.
       */
      FOLLOW_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(60_000),
      /**
       * How long the article list pages of anonymous readers are reused (0: never). Writes of this instance empty
       * them at once; another instance's writes show after at most this long.
       */
      PUBLIC_PAGE_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
      /** Where clients reach the public API (the gateway): the base of every absolute link in the feeds. */
      PUBLIC_BASE_URL: absoluteUrl('the gateway as clients reach it').default('http://127.0.0.1:8080'),
      /** The blog's name: the title of the feeds. */
      FEED_TITLE: z.string().trim().min(1).max(200).default('VCD Simple Blog'),
      /** The site's page for people (a frontend) that feeds link to; default: the API's article list. */
      FEED_SITE_URL: absoluteUrl('the site').optional(),
      /** An article's page for people, e.g. https://app.example.com/#/article/{slug}; default: the API's article. */
      FEED_ARTICLE_URL: z
        .string()
        .refine((s) => s.includes('{slug}'), 'must contain {slug}')
        .refine((s) => URL.canParse(s.replaceAll('{slug}', 'x')) && /^https?:$/.test(new URL(s.replaceAll('{slug}', 'x')).protocol), 'must be an absolute http(s) URL')
        .optional(),
    }),
    env,
  );

