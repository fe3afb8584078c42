import type { FeedFormat } from './feed.js';

/** Which articles a feed lists: all published ones, one tag's, or one author's. */
export type FeedSubject = { kind: 'all' } | { kind: 'tag'; tag: string } | { kind: 'author'; username: string };

export interface FeedSettings {
  /** Where clients reach the public API (the gateway), e.g. https://blog.example.com: no trailing slash. */
  publicBaseUrl: string;
  /** The site's article list for people (a frontend); default: the API's article list under publicBaseUrl. */
  siteUrl?: string;
  /** An article's page for people, `{slug}` standing for its slug; default: the API's article under publicBaseUrl. */
  articleUrlTemplate?: string;
  /** The feeds' title (the blog's name). */
  title: string;
}

/** Absolute links of the feeds: each value percent-encoded as one path segment or query value. */
export class FeedLinks {
  constructor(private readonly settings: FeedSettings) {}

  get title(): string {
    return this.settings.title;
  }

  self(subject: FeedSubject, format: FeedFormat): string {
    const base = `${this.settings.publicBaseUrl}/feeds`;
    switch (subject.kind) {
      case 'all':
        return `${base}/articles.${format}`;
      case 'tag':
        return `${base}/tags/${encodeURIComponent(subject.tag)}.${format}`;
      case 'author':
        return `${base}/authors/${encodeURIComponent(subject.username)}.${format}`;
    }
  }

  /** What a feed is about, for people: the configured site, or the API's list with the feed's filter. */
  site(subject: FeedSubject): string {
    if (this.settings.siteUrl) return this.settings.siteUrl;
    const list = `${this.settings.publicBaseUrl}/api/articles`;
    switch (subject.kind) {
      case 'all':
        return list;
      case 'tag':
        return `${list}?tag=${encodeURIComponent(subject.tag)}`;
      case 'author':
        return `${list}?author=${encodeURIComponent(subject.username)}`;
    }
  }

  article(slug: string): string {
    const encoded = encodeURIComponent(slug);
    return this.settings.articleUrlTemplate
      ? this.settings.articleUrlTemplate.replaceAll('{slug}', encoded)
      : `${this.settings.publicBaseUrl}/api/articles/${encoded}`;
  }
}
