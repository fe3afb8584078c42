import { randomUUID } from 'node:crypto';

/**
 * What the load generator sends, described as data (it runs in a process of its own, loadgen.ts): a mix of request
 * kinds, each with the URLs and header sets it picks from and a body made fresh for every request.
 */

export type BodySpec =
  /** The same JSON every time (a login). */
  | { type: 'json'; value: unknown }
  /** A new article: a title never sent before, tags picked from `tags`. */
  | { type: 'article'; tags: string[] }
  /** A new comment. */
  | { type: 'comment' }
  /** A post.published CloudEvent with a new id, as blog's outbox relay publishes it (sent to blog's sidecar). */
  | { type: 'post.published'; authorId: string };

export interface RequestSpec {
  /** Answers are counted and timed under this name ('anonymous list', 'create', …). */
  name: string;
  /** Share in a mix (relative to the others; default 1). */
  weight?: number;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Absolute URLs; each request picks one at random (list pages, tags, articles). */
  urls: string[];
  /** Header sets; each request picks one at random (one per signed-in user). */
  headers?: Record<string, string>[];
  body?: BodySpec;
  /** Keep each sent CloudEvent's id and send time (Date.now()) in the result (event latency). */
  recordSends?: boolean;
}

export type LoadJob =
  /** autocannon at full speed with `connections` (one request kind): the scenarios' "max". */
  | { mode: 'autocannon'; seconds: number; connections: number; request: RequestSpec }
  /** Closed loop: `connections` workers, each sending its next request when the last one answered (a mix at full speed). */
  | { mode: 'closed'; seconds: number; connections: number; mix: RequestSpec[]; intervalSeconds?: number }
  /** Open loop: one request every 1000/rate ms whatever the answers do, each timed from its own send. */
  | { mode: 'paced'; seconds: number; rate: number; mix: RequestSpec[]; intervalSeconds?: number };

export interface Stats {
  count: number;
  /** Answers that were not 2xx, and requests that got no answer. */
  errors: number;
  /** Count per status code ('200', '201', …) or error code ('ECONNRESET', …). */
  statuses: Record<string, number>;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult extends Stats {
  seconds: number;
  /** Answers per second (autocannon: its per-second average). */
  throughput: number;
  kinds: Record<string, Stats>;
  /** Open loop: how late the generator sent its requests (p99, ms): above a few ms it did not keep the pace. */
  lateP99?: number;
  sends?: [id: string, sentAt: number][];
}

export interface IntervalReport extends Stats {
  index: number;
  fromSeconds: number;
  toSeconds: number;
  kinds: Record<string, Stats>;
}

/** Messages between the bench and its load generator. */
export type ToLoadgen = { type: 'job'; job: LoadJob } | { type: 'exit' };
export type FromLoadgen = { type: 'interval'; report: IntervalReport } | { type: 'result'; result: LoadResult } | { type: 'error'; message: string };

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

export interface BuiltRequest {
  kind: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  eventId?: string;
}

let sequence = 0;

/** One request of `spec`, with a fresh body. */
export function buildRequest(spec: RequestSpec): BuiltRequest {
  const n = ++sequence;
  const headers: Record<string, string> = { ...(spec.headers?.length ? pick(spec.headers) : {}) };
  let body: string | undefined;
  let eventId: string | undefined;
  const b = spec.body;
  if (b?.type === 'json') body = JSON.stringify(b.value);
  else if (b?.type === 'article') {
    body = JSON.stringify({
      article: {
        title: `Bench ${process.pid}-${n} ${Math.random().toString(36).slice(2, 8)}`,
        description: 'Written by the benchmark',
        body: `Benchmark article number ${n}. `.repeat(4),
        tagList: b.tags.length ? [pick(b.tags)] : [],
      },
    });
  } else if (b?.type === 'comment') body = JSON.stringify({ comment: { body: `Benchmark comment ${n}` } });
  else if (b?.type === 'post.published') {
    eventId = randomUUID();
    const time = new Date().toISOString();
    body = JSON.stringify({
      specversion: '1.0', id: eventId, source: 'blog', type: 'post.published', datacontenttype: 'application/json', time,
      data: { articleId: randomUUID(), slug: `bench-event-${n}`, title: `Bench event ${n}`, authorId: b.authorId, publishedAt: time },
    });
    headers['content-type'] ??= 'application/cloudevents+json';
  }
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  return { kind: spec.name, url: pick(spec.urls), method: spec.method ?? 'GET', headers, body, eventId };
}

/** Picks a kind of a mix by weight. */
export function chooser(mix: RequestSpec[]): () => RequestSpec {
  const total = mix.reduce((s, r) => s + (r.weight ?? 1), 0);
  return () => {
    let x = Math.random() * total;
    for (const r of mix) {
      x -= r.weight ?? 1;
      if (x < 0) return r;
    }
    return mix[mix.length - 1]!;
  };
}

/** The q-quantile (0..1) of sorted values, rounded to 0.1 ms; 0 when there are none. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
}

class Samples {
  latencies: number[] = [];
  statuses: Record<string, number> = {};
  errors = 0;
  add(ms: number, status: string) {
    this.latencies.push(ms);
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (!/^2\d\d$/.test(status)) this.errors++;
  }
  stats(): Stats {
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      count: sorted.length,
      errors: this.errors,
      statuses: this.statuses,
      p50: quantile(sorted, 0.5),
      p90: quantile(sorted, 0.9),
      p99: quantile(sorted, 0.99),
      max: quantile(sorted, 1),
    };
  }
}

/** Collects every answer's latency and status, overall, per kind, and per interval (reported as each one ends). */
export class Recorder {
  private all = new Samples();
  private kinds = new Map<string, Samples>();
  private interval = { all: new Samples(), kinds: new Map<string, Samples>(), index: 0, from: 0 };
  private timer?: NodeJS.Timeout;
  readonly sends: [string, number][] = [];
  readonly started = performance.now();

  constructor(private readonly intervalSeconds?: number, private readonly onInterval?: (r: IntervalReport) => void) {
    if (intervalSeconds && onInterval) this.timer = setInterval(() => this.flush(), intervalSeconds * 1000);
  }

  add(kind: string, ms: number, status: string) {
    this.all.add(ms, status);
    if (!this.kinds.has(kind)) this.kinds.set(kind, new Samples());
    this.kinds.get(kind)!.add(ms, status);
    if (this.timer) {
      this.interval.all.add(ms, status);
      if (!this.interval.kinds.has(kind)) this.interval.kinds.set(kind, new Samples());
      this.interval.kinds.get(kind)!.add(ms, status);
    }
  }

  private flush() {
    const now = (performance.now() - this.started) / 1000;
    const { all, kinds, index, from } = this.interval;
    this.interval = { all: new Samples(), kinds: new Map(), index: index + 1, from: now };
    this.onInterval?.({ index, fromSeconds: from, toSeconds: now, ...all.stats(), kinds: Object.fromEntries([...kinds].map(([k, s]) => [k, s.stats()])) });
  }

  /** The result; a last, partial interval is reported if it holds answers. */
  finish(extra: { lateP99?: number; recordSends?: boolean } = {}): LoadResult {
    const seconds = (performance.now() - this.started) / 1000;
    if (this.timer) {
      clearInterval(this.timer);
      // The answers after the last full interval (the tail of requests still in flight) are in the totals; a
      // report of their own only when they span at least half an interval.
      if (this.interval.all.latencies.length && seconds - this.interval.from >= this.intervalSeconds! / 2) this.flush();
    }
    const stats = this.all.stats();
    return {
      ...stats,
      seconds,
      throughput: stats.count / seconds,
      kinds: Object.fromEntries([...this.kinds].map(([k, s]) => [k, s.stats()])),
      lateP99: extra.lateP99,
      sends: extra.recordSends ? this.sends : undefined,
    };
  }
}
