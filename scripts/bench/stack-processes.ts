import type { Stack } from '../runner/stack.js';
import type { ProcessGroups } from './cpu-usage.js';
import { treeOf, type ProcEntry } from './procfs.js';

/** The name the bench process goes by: it runs the stack and receives every span the stack exports (in-process). */
export const BENCH_PROCESS = 'bench (span receiver)';
export const LOAD_GENERATOR = 'load generator';

/**
 * The stack's processes by name: each app and each sidecar with whatever it started, the stack's own Redis, sentry,
 * MailDev and Prometheus, the Postgres backends of the stack's databases with the server's own background processes
 * (not other stacks' backends: the Postgres server is shared), the load generator and the bench itself.
 */
export function stackProcessGroups(stack: Stack, o: { dbPrefix: string; loadGeneratorPid: () => number | undefined }): ProcessGroups {
  return (table) => {
    const groups = new Map<string, ProcEntry[]>();
    const appPids = new Set<number>();
    for (const [id, a] of stack.apps) {
      for (const [name, pid] of [[id, a.app?.child.pid], [`${id}:daprd`, a.daprd?.child.pid]] as const) {
        if (!pid) continue;
        appPids.add(pid);
        groups.set(name, treeOf(pid, table));
      }
    }
    for (const pid of stack.pids()) {
      if (appPids.has(pid)) continue;
      const e = table.get(pid);
      if (!e) continue;
      const name = e.comm === 'redis-server' ? 'redis' : e.cmdline.includes('maildev') ? 'maildev' : e.comm;
      groups.set(name, [...(groups.get(name) ?? []), ...treeOf(pid, table)]);
    }
    const postgres = [...table.values()].filter(
      (e) =>
        e.comm === 'postgres' &&
        // a backend of one of our databases ("postgres: vcd_bench_blog vcd_bench_blog 127.0.0.1(5432) idle"), or the
        // server's own processes (postmaster, checkpointer, walwriter, …), which carry no client address
        (e.cmdline.includes(o.dbPrefix) || (!e.cmdline.includes('(') && !/worker/.test(e.cmdline))),
    );
    groups.set('postgres', postgres);
    const loadgen = o.loadGeneratorPid();
    if (loadgen) groups.set(LOAD_GENERATOR, treeOf(loadgen, table));
    const self = table.get(process.pid);
    if (self) groups.set(BENCH_PROCESS, [self]);
    return groups;
  };
}
