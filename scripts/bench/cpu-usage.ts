import { machineBusyTicks, processTable, TICKS_PER_SECOND, type ProcEntry } from './procfs.js';

/**
 * Where the CPU goes during a benchmark scenario: user+system time of each named group of processes (each app and
 * its children, each sidecar, the stack's Postgres backends, its Redis, the load generator, …), from /proc (Linux
 * only), and what the rest of the machine used meanwhile.
 */

/** Names the processes to account for, from the current process table (groups may change: Postgres backends come and go). */
export type ProcessGroups = (table: Map<number, ProcEntry>) => Map<string, ProcEntry[]>;

export interface CpuUsage {
  seconds: number;
  /** CPU ticks (1/100 s) each group used over the measurement. */
  ticks: Record<string, number>;
  /** Ticks the rest of the machine used meanwhile: other programs (another engineer's tests) and the kernel. */
  otherTicks: number;
}

interface Snapshot {
  groups: Map<string, Map<number, number>>;
  busy: number;
}

async function snapshot(groups: ProcessGroups): Promise<Snapshot> {
  const [table, busy] = await Promise.all([processTable(), machineBusyTicks()]);
  const out = new Map<string, Map<number, number>>();
  for (const [name, procs] of groups(table)) out.set(name, new Map(procs.map((p) => [p.pid, p.ticks])));
  return { groups: out, busy };
}

/** Ticks per group between two snapshots; a process born in between counts whole, one that died is lost. */
function delta(before: Snapshot, after: Snapshot): Record<string, number> {
  const ticks: Record<string, number> = {};
  for (const [name, procs] of after.groups) {
    const earlier = before.groups.get(name);
    let sum = 0;
    for (const [pid, t] of procs) sum += Math.max(0, t - (earlier?.get(pid) ?? 0));
    ticks[name] = sum;
  }
  return ticks;
}

/** Runs `fn` and returns its result with the CPU each group (and the rest of the machine) used meanwhile. */
export async function withCpuUsage<T>(groups: ProcessGroups, fn: () => Promise<T>): Promise<{ result: T; cpu?: CpuUsage }> {
  if (process.platform !== 'linux') return { result: await fn() };
  const before = await snapshot(groups);
  const started = performance.now();
  const result = await fn();
  const seconds = (performance.now() - started) / 1000;
  const after = await snapshot(groups);
  const ticks = delta(before, after);
  const ours = Object.values(ticks).reduce((s, t) => s + t, 0);
  return { result, cpu: { seconds, ticks, otherTicks: Math.max(0, after.busy - before.busy - ours) } };
}

/** CPU milliseconds per request (or event) of each group, with `total` (the groups together) and `rest of machine`. */
export function msPerRequest(cpu: CpuUsage, requests: number): Record<string, number> {
  const per = (t: number) => (requests > 0 ? Math.round(((t * 1000) / TICKS_PER_SECOND / requests) * 1000) / 1000 : 0);
  const out: Record<string, number> = {};
  for (const [name, t] of Object.entries(cpu.ticks)) out[name] = per(t);
  out.total = per(Object.values(cpu.ticks).reduce((s, t) => s + t, 0));
  out['rest of machine'] = per(cpu.otherTicks);
  return out;
}

/** One line: cores used, then CPU ms per request of each group (largest first; those under 0.005 ms left out). */
export function formatCpu(cpu: CpuUsage | undefined, requests: number, unit = 'request'): string {
  if (!cpu) return '';
  const ms = msPerRequest(cpu, requests);
  const cores = (t: number) => (t / TICKS_PER_SECOND / cpu.seconds).toFixed(2);
  const ours = Object.values(cpu.ticks).reduce((s, t) => s + t, 0);
  const parts = Object.entries(ms)
    .filter(([name, v]) => name !== 'total' && name !== 'rest of machine' && v >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([name, v]) => `${name} ${v.toFixed(2)}`);
  return `cpu ${cores(ours)} cores (rest of machine ${cores(cpu.otherTicks)}); ms/${unit}: total ${ms.total!.toFixed(2)} = ${parts.join(', ')}`;
}

/**
 * Waits until the stack is quiet (its processes together below `maxCores` of CPU over half a second), so a
 * scenario is not charged for the work the previous one left behind (events still being consumed, …). The load
 * generator and the bench process itself do not count. Says whether it got quiet, after how long, and the last load.
 */
export async function waitUntilQuiet(
  groups: ProcessGroups,
  ignore: string[],
  maxCores = 0.25,
  timeoutMs = 30_000,
): Promise<{ quiet: boolean; seconds: number; cores: number }> {
  const started0 = performance.now();
  const waited = () => Math.round((performance.now() - started0) / 100) / 10;
  if (process.platform !== 'linux') return { quiet: true, seconds: 0, cores: 0 };
  const deadline = Date.now() + timeoutMs;
  let cores = 0;
  while (Date.now() < deadline) {
    const before = await snapshot(groups);
    const started = performance.now();
    await new Promise((r) => setTimeout(r, 500));
    const after = await snapshot(groups);
    const seconds = (performance.now() - started) / 1000;
    const ticks = Object.entries(delta(before, after)).filter(([name]) => !ignore.includes(name)).reduce((s, [, t]) => s + t, 0);
    cores = ticks / TICKS_PER_SECOND / seconds;
    if (cores < maxCores) return { quiet: true, seconds: waited(), cores };
  }
  return { quiet: false, seconds: waited(), cores };
}
