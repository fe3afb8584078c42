import { Agent } from 'undici';
import { chooser, Recorder, type IntervalReport, type LoadResult, type RequestSpec } from './load-spec.js';
import { timedRequest } from './paced.js';

/**
 * A closed loop at full speed: `connections` workers, each sending its next request (a kind of `mix` picked by
 * weight, with a fresh body) as soon as the last one answered. Throughput is answers per second over the run.
 */
export async function closedLoad(o: {
  connections: number;
  seconds: number;
  mix: RequestSpec[];
  intervalSeconds?: number;
  onInterval?: (r: IntervalReport) => void;
}): Promise<LoadResult> {
  const pool = new Agent({ connections: o.connections, keepAliveTimeout: 30_000 });
  const next = chooser(o.mix);
  const recorder = new Recorder(o.intervalSeconds, o.onInterval);
  const end = performance.now() + o.seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) await timedRequest(pool, next(), recorder);
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  await pool.close();
  return recorder.finish({ recordSends: o.mix.some((m) => m.recordSends) });
}
