import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * What the bench reads from /proc (Linux only): the process table, a process with its descendants, CPU ticks,
 * resident memory, and the machine's busy time.
 */

/** USER_HZ: the unit of the CPU times in /proc (`getconf CLK_TCK`, 100 on every Linux we run on). */
export const TICKS_PER_SECOND = 100;

export interface ProcEntry {
  pid: number;
  ppid: number;
  comm: string;
  /** The command line, arguments joined by spaces (a process may rewrite it: Postgres backends, redis-server). */
  cmdline: string;
  /** utime + stime in ticks (not the children's: reaped children are not ours to count). */
  ticks: number;
}

const parseStat = (stat: string) => {
  // Fields after the parenthesised command name: state is field 3, ppid 4, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
};

async function entry(pid: number): Promise<ProcEntry | undefined> {
  try {
    const [stat, comm, cmdline] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/comm`, 'utf8'),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ]);
    return { pid, comm: comm.trim(), cmdline: cmdline.replace(/\0+$/, '').replaceAll('\0', ' '), ...parseStat(stat) };
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

/** Every process of the machine. */
export async function processTable(): Promise<Map<number, ProcEntry>> {
  const table = new Map<number, ProcEntry>();
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((e) => /^\d+$/.test(e)).map(Number);
  for (const e of await Promise.all(pids.map(entry))) if (e) table.set(e.pid, e);
  return table;
}

/** `pid` and every process below it (children, grandchildren, …) in `table`. */
export function treeOf(pid: number, table: Map<number, ProcEntry>): ProcEntry[] {
  const root = table.get(pid);
  if (!root) return [];
  const children = new Map<number, ProcEntry[]>();
  for (const e of table.values()) children.set(e.ppid, [...(children.get(e.ppid) ?? []), e]);
  const out: ProcEntry[] = [];
  const stack = [root];
  while (stack.length) {
    const e = stack.pop()!;
    out.push(e);
    stack.push(...(children.get(e.pid) ?? []));
  }
  return out;
}

/**
 * The memory of one process, in KiB (0 when it is gone): VmRSS and VmHWM (peak); RssAnon, the part only this process
 * holds (heaps, stacks), and RssFile, pages of mapped files (its executable and libraries) that every process
 * mapping the same file shares; Pss, its proportional share (each shared page divided among the processes that map
 * it), so the Pss of several processes adds up to the memory they really take together.
 */
export async function memoryOf(pid: number): Promise<{ rssKiB: number; peakKiB: number; anonKiB: number; fileKiB: number; pssKiB: number }> {
  const [status, rollup] = await Promise.all([
    readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''),
    readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => ''),
  ]);
  const kib = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return {
    rssKiB: kib(status, 'VmRSS'),
    peakKiB: kib(status, 'VmHWM'),
    anonKiB: kib(status, 'RssAnon'),
    fileKiB: kib(status, 'RssFile') + kib(status, 'RssShmem'),
    pssKiB: kib(rollup, 'Pss'),
  };
}

/** The executable a process runs (its basename), or '' when unreadable. */
export async function executableOf(pid: number): Promise<string> {
  const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
  return exe.replace(/ \(deleted\)$/, '').split('/').pop() ?? '';
}

/** Ticks the whole machine spent busy (every CPU, everything but idle and iowait) since boot. */
export async function machineBusyTicks(): Promise<number> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => '');
  const cpu = /^cpu\s+(.+)$/m.exec(stat)?.[1]?.trim().split(/\s+/).map(Number) ?? [];
  // user nice system idle iowait irq softirq steal (guest times are already inside user and nice)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return user + nice + system + irq + softirq + steal;
}
