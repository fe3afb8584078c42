import type { SidecarConnection } from './connection.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until daprd's outbound side (components, secret store) is ready. */
export async function waitUntilReady(c: SidecarConnection, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${c.baseUrl}/v1.0/healthz/outbound`, { headers: c.headers });
      await res.arrayBuffer();
      if (res.status === 204 || res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`Dapr sidecar at ${c.baseUrl} not ready after ${timeoutMs} ms (${lastError})`);
}

/** daprd's own health (its /v1.0/healthz): 204 once its components are loaded and its app is reachable. */
export async function sidecarHealth(c: SidecarConnection, timeoutMs = 2000): Promise<{ ok: boolean; status: number }> {
  const res = await fetch(`${c.baseUrl}/v1.0/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return { ok: res.status === 204, status: res.status };
}
