import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A scenario's result as the bench prints, saves and compares it: its numbers (metrics), its targets (issue 17),
 * and CPU milliseconds per request of each process. Saved results live in `.bench/` (git-ignored): `last.json` holds
 * the newest result of every scenario ever run (each with its run's date and commit), `previous.json` the file as
 * it was before the last run.
 */

export interface Target {
  /** The metric compared (a key of `metrics`). */
  metric: string;
  op: '>=' | '<=' | '<';
  value: number;
  /** The summary table's row name. */
  row: string;
}

export interface RunInfo {
  date: string;
  commit: string;
  cores: number;
  /** 1-minute load average when the run started (before the bench loaded the machine: others' work). */
  loadavgAtStart: number;
  /** The most CPU the rest of the machine (other programs, the kernel) used during a scenario, in cores. */
  otherCoresMax?: number;
}

export interface ScenarioResult {
  id: string;
  /** What the line measures ("signed-in list via gateway (max)"). */
  title: string;
  /** Throughput (req/s), p50/p99 (ms), errors, requests, seconds, `rss:<process>` (MiB), growth % …; numbers only. */
  metrics: Record<string, number>;
  targets: Target[];
  /** The metrics compared with the saved result (default throughput and p99); CPU per request always is. */
  compared?: string[];
  /** CPU ms per request (or event) of each process, with `total` and `rest of machine`. */
  cpuMsPerRequest?: Record<string, number>;
  run?: RunInfo;
}

export interface Saved {
  scenarios: Record<string, ScenarioResult>;
}

const unitOf = (metric: string) =>
  metric === 'throughput' ? 'req/s' : /^p\d+|^max$|Ms$/.test(metric) ? 'ms' : metric === 'seconds' ? 's' : metric.startsWith('rss') ? 'MiB' : metric.endsWith('%') ? '%' : '';

export function formatValue(metric: string, v: number): string {
  const unit = unitOf(metric);
  const n = unit === 'req/s' || unit === 'MiB' || (unit === '' && Number.isInteger(v)) ? v.toFixed(0) : Math.abs(v) < 100 ? v.toFixed(1) : v.toFixed(0);
  return unit === '%' ? `${n} %` : unit ? `${n} ${unit}` : n;
}

const opText = { '>=': '≥', '<=': '≤', '<': '<' } as const;
export const formatTarget = (t: Target) => `${opText[t.op]} ${formatValue(t.metric, t.value)}`;

export function met(t: Target, metrics: Record<string, number>): boolean | undefined {
  const v = metrics[t.metric];
  if (v === undefined || Number.isNaN(v)) return undefined;
  return t.op === '>=' ? v >= t.value : t.op === '<=' ? v <= t.value : v < t.value;
}

/** "(target ≥ 1000 req/s: met)" for each target of a result. */
export function targetNotes(r: ScenarioResult): string {
  if (!r.targets.length) return '';
  const what = (t: Target) => (t.metric === 'throughput' ? '' : `${t.metric.replace(/^rss:/, '')} `);
  return ` (${r.targets.map((t) => `target ${what(t)}${formatTarget(t)}: ${met(t, r.metrics) ? 'met' : 'NOT met'}`).join('; ')})`;
}

const signed = (v: number, digits: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(digits)}`;

/**
 * The change against an earlier result of the same scenario: throughput in %, latencies and times as deltas,
 * memory in MiB, CPU ms per request (total, and the processes that moved most).
 */
export function compare(current: ScenarioResult, earlier: ScenarioResult | undefined): string {
  if (!earlier) return 'no earlier result saved';
  const parts: string[] = [];
  const rss: string[] = [];
  for (const metric of current.compared ?? ['throughput', 'p99']) {
    const now = current.metrics[metric];
    const before = earlier.metrics[metric];
    if (now === undefined || before === undefined) continue;
    if (metric.startsWith('rss:') && metric !== 'rss:stack') {
      // Each process in one short list: the ones that moved by a MiB or more.
      if (Math.abs(now - before) >= 1) rss.push(`${metric.slice(4)} ${signed(now - before, 0)}`);
    } else if (metric === 'throughput') {
      parts.push(`${before.toFixed(0)} → ${now.toFixed(0)} req/s (${before > 0 ? `${signed(((now - before) / before) * 100, 1)} %` : 'n/a'})`);
    } else {
      parts.push(`${metric} ${formatValue(metric, before)} → ${formatValue(metric, now)} (${signed(now - before, unitOf(metric) === 'MiB' ? 0 : 1)})`);
    }
  }
  if (rss.length) parts.push(`RSS MiB ${rss.join(', ')}`);
  const cpuNow = current.cpuMsPerRequest;
  const cpuBefore = earlier.cpuMsPerRequest;
  if (cpuNow?.total !== undefined && cpuBefore?.total !== undefined) {
    const moved = Object.keys(cpuNow)
      .filter((k) => k !== 'total' && k !== 'rest of machine' && cpuBefore[k] !== undefined)
      .map((k) => [k, cpuNow[k]! - cpuBefore[k]!] as const)
      .filter(([, d]) => Math.abs(d) >= 0.01)
      .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
      .slice(0, 3);
    parts.push(
      `cpu ${cpuBefore.total.toFixed(2)} → ${cpuNow.total.toFixed(2)} ms/req (${signed(cpuNow.total - cpuBefore.total, 2)}${moved.length ? `: ${moved.map(([k, d]) => `${k} ${signed(d, 2)}`).join(', ')}` : ''})`,
    );
  }
  const when = earlier.run ? `${earlier.run.date.slice(0, 16).replace('T', ' ')} ${earlier.run.commit}` : 'earlier run';
  return `vs ${when}: ${parts.join(', ') || 'nothing comparable'}`;
}

/** The summary: one row per target (scenario | measured | target | met?), as Markdown. */
export function summaryTable(results: ScenarioResult[]): string[] {
  const rows = ['| scenario | measured | target | met? |', '|---|---|---|---|'];
  for (const r of results) {
    for (const t of r.targets) {
      const v = r.metrics[t.metric];
      const ok = met(t, r.metrics);
      rows.push(`| ${t.row} | ${v === undefined ? 'not measured' : formatValue(t.metric, v)} | ${formatTarget(t)} | ${ok === undefined ? '–' : ok ? 'yes' : '**no**'} |`);
    }
  }
  return rows;
}

export async function loadSaved(dir: string): Promise<Saved> {
  const file = path.join(dir, 'last.json');
  if (!existsSync(file)) return { scenarios: {} };
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Saved;
  } catch {
    return { scenarios: {} };
  }
}

/**
 * Saves this run's results over the saved ones (keeping the scenarios it did not run), after moving the old file to
 * previous.json; also its printed report (last.txt) and summary table (last.md).
 */
export async function saveResults(dir: string, earlier: Saved, results: ScenarioResult[], report: string[], summary: string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const last = path.join(dir, 'last.json');
  if (existsSync(last)) await rename(last, path.join(dir, 'previous.json'));
  const scenarios = { ...earlier.scenarios };
  for (const r of results) scenarios[r.id] = r;
  await writeFile(last, JSON.stringify({ scenarios } satisfies Saved, null, 2) + '\n');
  await writeFile(path.join(dir, 'last.txt'), report.join('\n') + '\n');
  await writeFile(path.join(dir, 'last.md'), summary.join('\n') + '\n');
}
