import { Agent, request } from 'undici';

/**
 * An open-loop load at a steady rate: one request every 1000/rate ms whatever the answers do (autocannon's
 * overallRate sends in bursts), each timed from its own send. Returns latency percentiles in ms.
 */
export async function pacedLoad(url: string, rate: number, seconds: number): Promise<{ sent: number; failed: number; p50: number; p90: number; p99: number; max: number }> {
  const pool = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let failed = 0;
  const inflight: Promise<void>[] = [];
  const total = Math.round(rate * seconds);
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      (async () => {
        const t0 = performance.now();
        try {
          const res = await request(url, { dispatcher: pool });
          await res.body.dump();
          if (res.statusCode >= 300) failed++;
        } catch {
          failed++;
        }
        latencies.push(performance.now() - t0);
      })(),
    );
  }
  await Promise.all(inflight);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 10) / 10;
  return { sent: total, failed, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) };
}
