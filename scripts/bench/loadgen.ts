/**
 * The load generator: a process of its own (forked by loadgen-client.ts), so its CPU is counted apart from the
 * bench's (which also receives every span of the stack) and its timings are not delayed by that work. Runs one job
 * at a time (load-spec.ts) and answers with its result; interval reports as they come.
 */
import autocannon from 'autocannon';
import { closedLoad } from './closed-loop.js';
import { buildRequest, type FromLoadgen, type IntervalReport, type LoadJob, type LoadResult, type RequestSpec, type Stats, type ToLoadgen } from './load-spec.js';
import { pacedLoad } from './paced.js';

const send = (m: FromLoadgen) => process.send!(m);

/** autocannon at full speed for one kind; a fresh request (URL, headers, body) per request when the spec varies. */
async function autocannonLoad(seconds: number, connections: number, spec: RequestSpec): Promise<LoadResult> {
  const varies = spec.urls.length > 1 || (spec.headers?.length ?? 0) > 1 || (spec.body && spec.body.type !== 'json');
  const first = buildRequest(spec);
  const origin = new URL(first.url).origin;
  const options: autocannon.Options = varies
    ? {
        url: origin,
        requests: [
          {
            setupRequest: (req) => {
              const r = buildRequest(spec);
              const u = new URL(r.url);
              return { ...req, method: r.method as 'GET', path: u.pathname + u.search, headers: r.headers, body: r.body ?? '' };
            },
          },
        ],
      }
    : { url: first.url, method: first.method as 'GET', headers: first.headers, body: first.body };
  const r = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ ...options, duration: seconds, connections }, (err, res) => (err ? reject(err) : resolve(res))),
  );
  const statuses: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statuses[code] = (s as { count: number }).count;
  if (r.errors) statuses.error = r.errors;
  const stats: Stats = {
    count: r.requests.total,
    errors: r.errors + r.non2xx,
    statuses,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
  };
  return { ...stats, seconds: r.duration, throughput: r.requests.average, kinds: { [spec.name]: stats } };
}

async function runJob(job: LoadJob): Promise<LoadResult> {
  const onInterval = (report: IntervalReport) => send({ type: 'interval', report });
  switch (job.mode) {
    case 'autocannon':
      return autocannonLoad(job.seconds, job.connections, job.request);
    case 'closed':
      return closedLoad({ ...job, onInterval });
    case 'paced':
      return pacedLoad({ ...job, onInterval });
  }
}

process.on('message', (m: ToLoadgen) => {
  if (m.type === 'exit') process.exit(0);
  runJob(m.job).then(
    (result) => send({ type: 'result', result }),
    (err: Error) => send({ type: 'error', message: err.stack ?? err.message }),
  );
});
// The bench going away ends this process too.
process.on('disconnect', () => process.exit(0));
