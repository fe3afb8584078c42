import type { ManagedProcess } from './processes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until its status is one `isUp` accepts, or fails after `timeoutMs` with the last answer. */
export async function waitFor(url: string, headers: Record<string, string>, timeoutMs: number, isUp: (status: number) => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (isUp(res.status)) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(150);
  }
  throw new Error(`${url} not ready after ${timeoutMs / 1000}s (${last})`);
}

/** Waits for `url` to answer as `isUp` wants, failing at once (with its last output) if `proc` exits first. */
export async function untilUp(proc: ManagedProcess, url: string, timeoutMs: number, isUp: (status: number) => boolean): Promise<void> {
  const died = proc.exited.then(({ code, signal }) => {
    throw new Error(`${proc.name} exited during start-up (${signal ? `signal ${signal}` : `exit code ${code}`}):\n${proc.lastLines.slice(-8).join('\n')}`);
  });
  died.catch(() => undefined);
  await Promise.race([waitFor(url, {}, timeoutMs, isUp), died]);
}
