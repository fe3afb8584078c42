import type { Stack } from '../runner/stack.js';
import { formatCpu, msPerRequest, waitUntilQuiet, withCpuUsage, type CpuUsage, type ProcessGroups } from './cpu-usage.js';
import type { LoadResult, RequestSpec } from './load-spec.js';
import { TICKS_PER_SECOND } from './procfs.js';
import type { LoadGenerator } from './loadgen-client.js';
import { compare, targetNotes, type RunInfo, type Saved, type ScenarioResult, type Target } from './results.js';
import { BENCH_PROCESS, LOAD_GENERATOR } from './stack-processes.js';

/** What every scenario works with: the stack, its seeded users and articles, the load generator, and the report. */
export interface BenchUser {
  username: string;
  email: string;
  password: string;
  id: string;
  token: string;
}

export class BenchContext {
  readonly results: ScenarioResult[] = [];
  readonly lines: string[] = [];

  constructor(
    readonly stack: Stack,
    readonly loadgen: LoadGenerator,
    readonly groups: ProcessGroups,
    readonly saved: Saved,
    readonly runInfo: RunInfo,
    readonly seconds: number,
    readonly data: { author: BenchUser; readers: BenchUser[]; slugs: string[]; tags: string[] },
  ) {}

  get gw(): string {
    return this.stack.gatewayUrl!;
  }

  /** Every seeded user (the author first, then the readers). */
  get users(): BenchUser[] {
    return [this.data.author, ...this.data.readers];
  }

  /** Prints a line and keeps it for the saved report. */
  report(line: string): void {
    this.lines.push(line);
    process.stdout.write(`${line}\n`);
  }

  /** Waits until the stack is quiet, then runs `fn` measuring the CPU of every process meanwhile. */
  async measure<T>(fn: () => Promise<T>): Promise<{ result: T; cpu?: CpuUsage }> {
    const quiet = await waitUntilQuiet(this.groups, [LOAD_GENERATOR, BENCH_PROCESS]);
    // Said when it matters: the next numbers then include what the previous scenario left behind.
    if (!quiet.quiet) this.report(`    (the stack was still busy after ${quiet.seconds} s: ${quiet.cores.toFixed(2)} cores; measuring anyway)`);
    else if (quiet.seconds >= 5) this.report(`    (waited ${quiet.seconds} s for the stack to go quiet first)`);
    return withCpuUsage(this.groups, fn);
  }

  /** measure() of one load generator job. */
  load(job: Parameters<LoadGenerator['run']>[0], onInterval?: Parameters<LoadGenerator['run']>[1]) {
    return this.measure(() => this.loadgen.run(job, onInterval));
  }

  /** Records a result: prints its line with its targets, CPU per request, and the change since the saved result. */
  add(result: ScenarioResult, line: string, cpu: CpuUsage | undefined, requests: number, unit = 'request'): void {
    if (cpu) {
      result.cpuMsPerRequest = msPerRequest(cpu, requests);
      const other = cpu.otherTicks / TICKS_PER_SECOND / cpu.seconds;
      this.runInfo.otherCoresMax = Math.max(this.runInfo.otherCoresMax ?? 0, Math.round(other * 100) / 100);
    }
    result.run = this.runInfo;
    this.results.push(result);
    this.report(`${line}${targetNotes(result)}`);
    if (cpu) this.report(`    ${formatCpu(cpu, requests, unit)}`);
    this.report(`    ${compare(result, this.saved.scenarios[result.id])}`);
  }

  /** A result from a load: throughput, latencies, errors and requests as metrics. */
  addLoad(id: string, title: string, load: LoadResult, cpu: CpuUsage | undefined, targets: Target[], paced?: { rate: number }): void {
    const metrics: Record<string, number> = {
      throughput: load.throughput, p50: load.p50, p90: load.p90, p99: load.p99, max: load.max, errors: load.errors, requests: load.count, seconds: load.seconds,
    };
    const line = paced
      ? `${title}: ${load.count} sent at ${paced.rate}/s, p50 ${load.p50} ms, p90 ${load.p90} ms, p99 ${load.p99} ms, max ${load.max} ms, ${describeErrors(load)}${lateNote(load)}`
      : `${title}: ${load.throughput.toFixed(0)} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms, ${describeErrors(load)}`;
    this.add({ id, title, metrics, targets, compared: paced ? ['p99'] : ['throughput', 'p99'] }, line, cpu, load.count);
  }

  /** Logs every seeded user in again: fresh access tokens (they live 15 minutes) before a scenario that signs in. */
  async refreshTokens(): Promise<void> {
    for (const u of this.users) {
      const res = await call(this.gw, 'POST', '/api/users/login', { user: { email: u.email, password: u.password } });
      u.token = res.user.token;
    }
  }

  /** A header set per seeded user (readers only, or with the author). */
  tokenHeaders(withAuthor = false): Record<string, string>[] {
    return (withAuthor ? this.users : this.data.readers).map((u) => ({ authorization: `Token ${u.token}` }));
  }

  /** Article list URLs, mostly the first page, some later pages and tags: a realistic spread of list queries. */
  listUrls(): string[] {
    const base = `${this.gw}/api/articles?limit=20`;
    return [
      ...Array<string>(12).fill(base),
      ...Array<string>(3).fill(`${base}&offset=20`),
      `${base}&offset=40`,
      ...this.data.tags.slice(0, 4).map((t) => `${base}&tag=${encodeURIComponent(t)}`),
    ];
  }

  /** A request kind creating articles as any seeded user. */
  createSpec(weight?: number): RequestSpec {
    return { name: 'create', weight, method: 'POST', urls: [`${this.gw}/api/articles`], headers: this.tokenHeaders(true), body: { type: 'article', tags: this.data.tags } };
  }
}

export function describeErrors(load: LoadResult): string {
  if (load.errors === 0) return `errors 0 of ${load.count}`;
  const statuses = Object.entries(load.statuses).filter(([code]) => !/^2\d\d$/.test(code)).map(([code, n]) => `${code}: ${n}`);
  return `errors ${load.errors} of ${load.count} (${statuses.join(', ')})`;
}

const lateNote = (load: LoadResult) =>
  load.lateP99 !== undefined && load.lateP99 > 2 ? ` (the generator sent late by up to ${load.lateP99} ms, p99: the pace was not kept)` : '';

/** One JSON request to the gateway; throws with the answer unless it is 2xx. */
export async function call(gw: string, method: string, pathOrUrl: string, body?: unknown, token?: string) {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${gw}${pathOrUrl}`;
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Token ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}
