import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface LogSink {
  line(name: string, stream: 'stdout' | 'stderr', text: string): void;
  runner(text: string): void;
}

const COLOURS = [36, 35, 33, 32, 34, 91, 96, 95];

/** daprd warnings that are expected when running self-hosted without a control plane. */
const EXPECTED_DAPRD_WARNINGS = [
  /mTLS is disabled/,
  /increasedCardinality/,
  /placement service is not configured/,
  /No scheduler host addresses provided/,
];

/** Prefixes every line with the process name, coloured when writing to a terminal. */
export function consoleSink(names: string[], out: NodeJS.WriteStream = process.stdout): LogSink {
  const width = Math.max(...names.map((n) => n.length), 6);
  const tty = out.isTTY;
  const colourOf = new Map(names.map((n, i) => [n, COLOURS[i % COLOURS.length]!]));
  const paint = (code: number, s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
  return {
    line(name, _stream, text) {
      if (name.endsWith(':dapr') && EXPECTED_DAPRD_WARNINGS.some((re) => re.test(text))) return;
      const base = name.replace(/:dapr$/, '');
      const colour = colourOf.get(base) ?? colourOf.get(name) ?? 37;
      out.write(`${paint(colour, name.padEnd(width + 5))} | ${name.endsWith(':dapr') && tty ? `\x1b[2m${text}\x1b[0m` : text}\n`);
    },
    runner(text) {
      out.write(`${paint(1, 'runner'.padEnd(width + 5))} | ${text}\n`);
    },
  };
}

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  lastLines: string[];
  stopping: boolean;
}

/** Starts a process in its own process group, so that stopping it stops everything it started. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; sink: LogSink },
): ManagedProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lastLines: string[] = [];
  const proc: ManagedProcess = {
    name,
    child,
    lastLines,
    stopping: false,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.once('error', (err) => options.sink.runner(`${name}: failed to start ${command}: ${err.message}`));
  for (const stream of ['stdout', 'stderr'] as const) {
    createInterface({ input: child[stream]! }).on('line', (text) => {
      lastLines.push(text);
      if (lastLines.length > 20) lastLines.shift();
      options.sink.line(name, stream, text);
    });
  }
  return proc;
}

/** Whether a process with this id exists. */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM to the process group, SIGKILL after `graceMs`. */
export async function stopProcess(proc: ManagedProcess, graceMs = 10_000): Promise<void> {
  const pid = proc.child.pid;
  if (!pid) return;
  proc.stopping = true;
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
    killGroup(pid, 'SIGKILL');
    return;
  }
  killGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
  // Anything the process left behind in its group goes too.
  killGroup(pid, 'SIGKILL');
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    if (alive(pid)) {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  }
}

/**
 * SIGINT and SIGTERM end the process as an ordinary exit (status 130 and 143), so its 'exit' handlers run: startStack's
 * kills the stack's process groups. A signal's default action skips them and leaves the whole stack running (each
 * process is started in a group of its own, so a terminal's Ctrl-C does not reach them either). For scripts that have
 * no shutdown of their own (the test runner, the bench); `npm start` stops its stack gracefully instead.
 */
export function exitOnSignals(): void {
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));
}
