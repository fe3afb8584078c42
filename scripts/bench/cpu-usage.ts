import { readdir, readFile } from 'node:fs/promises';

/**
 * Where the CPU goes during a benchmark scenario: user+system time of each process of the stack (apps, sidecars),
 * Postgres and Redis (all their processes), and this process (the load generator), from /proc (Linux only).
 */
const TICKS_PER_SECOND = 100;

async function ticksOf(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

async function pidsByCommand(names: string[]): Promise<Map<string, number[]>> {
  const found = new Map<string, number[]>(names.map((n) => [n, []]));
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = (await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '')).trim();
    found.get(comm)?.push(Number(entry));
  }
  return found;
}

async function snapshot(named: Record<string, number>): Promise<Map<string, number>> {
  const ticks = new Map<string, number>();
  for (const [name, pid] of Object.entries(named)) ticks.set(name, await ticksOf(pid));
  for (const [comm, pids] of await pidsByCommand(['postgres', 'redis-server'])) {
    let sum = 0;
    for (const pid of pids) sum += await ticksOf(pid);
    ticks.set(comm, sum);
  }
  return ticks;
}

/** Runs `fn` and returns its result with one line: CPU% per process over its duration (100% = one core). */
export async function withCpuUsage<T>(named: Record<string, number>, fn: () => Promise<T>): Promise<{ result: T; cpu: string }> {
  if (process.platform !== 'linux') return { result: await fn(), cpu: '' };
  const before = await snapshot(named);
  const started = Date.now();
  const result = await fn();
  const seconds = (Date.now() - started) / 1000;
  const after = await snapshot(named);
  const usage = [...after]
    .map(([name, t]) => [name, ((t - (before.get(name) ?? 0)) / TICKS_PER_SECOND / seconds) * 100] as const)
    .filter(([, pct]) => pct >= 1)
    .sort((a, b) => b[1] - a[1]);
  const total = usage.reduce((s, [, pct]) => s + pct, 0);
  return { result, cpu: `cpu ${total.toFixed(0)}%: ${usage.map(([n, pct]) => `${n} ${pct.toFixed(0)}%`).join(', ')}` };
}

/**
 * Waits until the stack is quiet (its processes together below `maxCores` of CPU over half a second), so a
 * scenario is not charged for the work the previous one left behind (events still being consumed, …).
 */
export async function waitUntilQuiet(named: Record<string, number>, maxCores = 0.25, timeoutMs = 30_000): Promise<void> {
  if (process.platform !== 'linux') return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const before = await snapshot(named);
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    const after = await snapshot(named);
    const seconds = (Date.now() - started) / 1000;
    let ticks = 0;
    for (const [name, t] of after) if (name !== 'load generator') ticks += t - (before.get(name) ?? 0);
    if (ticks / TICKS_PER_SECOND / seconds < maxCores) return;
  }
}
