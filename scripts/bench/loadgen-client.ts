import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromLoadgen, IntervalReport, LoadJob, LoadResult, ToLoadgen } from './load-spec.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The load generator process (loadgen.ts) as the bench drives it: one job at a time. */
export interface LoadGenerator {
  pid: number;
  run(job: LoadJob, onInterval?: (r: IntervalReport) => void): Promise<LoadResult>;
  close(): Promise<void>;
}

export async function startLoadGenerator(): Promise<LoadGenerator> {
  // The bench's own flags (--import tsx) are inherited.
  const child: ChildProcess = fork(path.join(here, 'loadgen.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  let busy = false;
  return {
    pid: child.pid!,
    run(job, onInterval) {
      if (busy) throw new Error('the load generator runs one job at a time');
      busy = true;
      return new Promise<LoadResult>((resolve, reject) => {
        const onExit = (code: number | null, signal: string | null) => done(() => reject(new Error(`the load generator exited (${signal ?? code})`)));
        const onMessage = (m: FromLoadgen) => {
          if (m.type === 'interval') onInterval?.(m.report);
          else if (m.type === 'result') done(() => resolve(m.result));
          else done(() => reject(new Error(`load generator: ${m.message}`)));
        };
        const done = (settle: () => void) => {
          busy = false;
          child.off('message', onMessage);
          child.off('exit', onExit);
          settle();
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ type: 'job', job } satisfies ToLoadgen);
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'exit' } satisfies ToLoadgen);
      await exited;
    },
  };
}
