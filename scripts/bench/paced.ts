import { Agent, request } from 'undici';
import { buildRequest, chooser, quantile, Recorder, type IntervalReport, type LoadResult, type RequestSpec } from './load-spec.js';

/** Sends one request of `spec` and records its latency (from its own send to the end of its body) and status. */
export async function timedRequest(pool: Agent, spec: RequestSpec, recorder: Recorder): Promise<void> {
  const req = buildRequest(spec);
  const t0 = performance.now();
  if (req.eventId && spec.recordSends) recorder.sends.push([req.eventId, Date.now()]);
  let status: string;
  try {
    const res = await request(req.url, { method: req.method as 'GET', headers: req.headers, body: req.body, dispatcher: pool });
    await res.body.dump();
    status = String(res.statusCode);
  } catch (err) {
    status = (err as { code?: string }).code ?? 'error';
  }
  recorder.add(req.kind, performance.now() - t0, status);
}

/**
 * An open-loop load at a steady rate: one request every 1000/rate ms whatever the answers do (autocannon's
 * overallRate sends in bursts), each timed from its own send, each a fresh request of a kind of `mix` picked by
 * weight (a GET of one URL, a POST with a new body, …). Reports every `intervalSeconds` when asked (the soak).
 */
export async function pacedLoad(o: {
  rate: number;
  seconds: number;
  mix: RequestSpec[];
  connections?: number;
  intervalSeconds?: number;
  onInterval?: (r: IntervalReport) => void;
}): Promise<LoadResult> {
  const pool = new Agent({ connections: o.connections ?? 64, keepAliveTimeout: 30_000 });
  const next = chooser(o.mix);
  const recorder = new Recorder(o.intervalSeconds, o.onInterval);
  const inflight = new Set<Promise<void>>();
  const late: number[] = [];
  const total = Math.round(o.rate * o.seconds);
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / o.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    late.push(Math.max(0, performance.now() - due));
    const p = timedRequest(pool, next(), recorder).finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
  await pool.close();
  return recorder.finish({ lateP99: quantile(Float64Array.from(late).sort(), 0.99), recordSends: o.mix.some((m) => m.recordSends) });
}
