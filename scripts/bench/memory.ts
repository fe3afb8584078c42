import type { Stack } from '../runner/stack.js';
import type { ProcessGroups } from './cpu-usage.js';
import { executableOf, memoryOf, processTable, treeOf } from './procfs.js';

const MiB = (kib: number) => Math.round(kib / 1024);

/**
 * Idle seconds before memory is read where nothing should be held for the next request (BENCH_SETTLE_SECONDS): after
 * the last scenario, and around the soak's load. The apps' idle compaction gives garbage and malloc's free memory back.
 */
export const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 45);

export interface MemoryReport {
  /** Resident memory (VmRSS) of each group in MiB: a process and its descendants together. */
  rss: Record<string, number>;
  /** Peak resident memory (VmHWM) of each group, MiB (the sum of each process's peak). */
  peak: Record<string, number>;
  /** Of each group's RSS, the private part (RssAnon) and the shared file pages (RssFile), MiB. */
  anon: Record<string, number>;
  file: Record<string, number>;
  /** Proportional set size of each group (shared pages divided among the processes mapping them), MiB. */
  pss: Record<string, number>;
  /** The four apps and their sidecars together (the stack's target): the sum of their RSS. */
  stackMiB: number;
  /** The same processes' PSS summed: what they take together, each shared page (the daprd and node executables) once. */
  stackPssMiB: number;
  /** For each app: what its pid is (node itself, or a wrapper and the node process under it). */
  notes: Record<string, string>;
}

/** VmRSS of every group of the stack (from /proc/<pid>/status), apps and sidecars with their descendants. */
export async function measureMemory(stack: Stack, groups: ProcessGroups): Promise<MemoryReport> {
  const table = await processTable();
  const rss: Record<string, number> = {};
  const peak: Record<string, number> = {};
  const anon: Record<string, number> = {};
  const file: Record<string, number> = {};
  const pss: Record<string, number> = {};
  const rssKiB: Record<string, number> = {};
  const pssKiB: Record<string, number> = {};
  for (const [name, procs] of groups(table)) {
    const sum = { rssKiB: 0, peakKiB: 0, anonKiB: 0, fileKiB: 0, pssKiB: 0 };
    for (const proc of procs) {
      const m = await memoryOf(proc.pid);
      for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += m[k];
    }
    rssKiB[name] = sum.rssKiB;
    pssKiB[name] = sum.pssKiB;
    rss[name] = MiB(sum.rssKiB);
    peak[name] = MiB(sum.peakKiB);
    anon[name] = MiB(sum.anonKiB);
    file[name] = MiB(sum.fileKiB);
    pss[name] = MiB(sum.pssKiB);
  }
  const notes: Record<string, string> = {};
  let stackKiB = 0;
  let stackPssKiB = 0;
  for (const [id, a] of stack.apps) {
    const pid = a.app?.child.pid;
    if (!pid) continue;
    const tree = treeOf(pid, table);
    const exe = await executableOf(pid);
    const nodes = [];
    for (const e of tree) if ((await executableOf(e.pid)) === 'node') nodes.push(e.pid);
    notes[id] =
      exe === 'node' && tree.length === 1
        ? `pid ${pid} is the node process itself, no children`
        : exe === 'node'
          ? `pid ${pid} is node, with ${tree.length - 1} descendant(s) (${tree.slice(1).map((e) => `${e.comm} ${e.pid}`).join(', ')}), counted with it`
          : `pid ${pid} is a wrapper (${exe}); node runs as pid ${nodes.join(', ') || '?'}, counted with it`;
    stackKiB += (rssKiB[id] ?? 0) + (rssKiB[`${id}:daprd`] ?? 0);
    stackPssKiB += (pssKiB[id] ?? 0) + (pssKiB[`${id}:daprd`] ?? 0);
  }
  return { rss, peak, anon, file, pss, stackMiB: MiB(stackKiB), stackPssMiB: MiB(stackPssKiB), notes };
}
