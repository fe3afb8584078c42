import { createServer, type Server } from 'node:http';
import client from 'prom-client';

/**
 * Prometheus metrics of one process (prom-client's default registry). Every metric is made once per process, by
 * name, so that packages can declare theirs at first use without coordinating (several app instances in one test
 * process share them). Labels only ever take values from a closed set (route templates, topics, cache names,
 * outcomes): nothing a client sends becomes a label value.
 */
export const registry = client.register;

type Labels<L extends string> = Partial<Record<L, string | number>>;

function once<M>(name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
  once(name, () => new client.Counter<L>({ name, help, labelNames }));

export const histogram = <L extends string = never>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
  once(name, () => new client.Histogram<L>({ name, help, labelNames, buckets }));

type GaugeSource = (set: (labels: Labels<string>, value: number) => void) => void | Promise<void>;
const gaugeSources = new Map<string, GaugeSource[]>();

/**
 * A gauge read when Prometheus scrapes: each source's `collect` sets values (async allowed; a source that fails,
 * e.g. its database is down, reports nothing that scrape). Several sources may feed one gauge.
 */
export function observedGauge<L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[],
  collect: (set: (labels: Labels<L>, value: number) => void) => void | Promise<void>,
): void {
  let sources = gaugeSources.get(name);
  if (!sources) {
    const list: GaugeSource[] = [];
    sources = list;
    gaugeSources.set(name, list);
    once(name, () =>
      new client.Gauge<L>({
        name,
        help,
        labelNames,
        async collect() {
          this.reset();
          await Promise.all(
            list.map(async (source) => {
              try {
                await source((labels, value) => this.set(labels, value));
              } catch {
                /* nothing this scrape */
              }
            }),
          );
        },
      }),
    );
  }
  sources.push(collect);
}

/** Seconds between buckets that suit request and event latencies on one machine (1 ms … 10 s). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** HTTP metrics (RED) per route template: request count and errors by status, duration histogram. */
export const httpServerDuration = () =>
  histogram('http_server_request_duration_seconds', 'Duration of HTTP requests served by this app, by route template', ['method', 'route', 'status'], LATENCY_BUCKETS);

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const methodLabel = (method: string) => (METHODS.has(method) ? method : 'OTHER');

/** Cache lookups by cache and outcome (hit ratio = hits / all). */
export const cacheLookups = () => counter('cache_lookups_total', 'Cache lookups by cache and result (hit|miss)', ['cache', 'result']);
export const recordCacheLookup = (cache: string, hit: boolean) => cacheLookups().inc({ cache, result: hit ? 'hit' : 'miss' });

let started = false;

/**
 * Serves GET /metrics on a port of its own (never the app's public port): Prometheus scrapes it, clients cannot
 * reach it through the gateway. Also exports process metrics (CPU, memory, event-loop lag, GC).
 */
export async function startMetricsServer(options: { port: number; host: string }): Promise<Server> {
  if (!started) {
    client.collectDefaultMetrics({ register: registry });
    started = true;
  }
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
    );
  });
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
