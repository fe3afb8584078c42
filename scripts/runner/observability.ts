import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startProcess, stopProcess, type LogSink, type ManagedProcess } from './processes.js';
import { untilUp } from './readiness.js';
import { startTraceSink } from './trace-sink.js';

/**
 * The development stack's observability backends (docs/observability.md, ADR 14): Jaeger (built from Go modules
 * once per machine by scripts/build-jaeger.sh) receives every app's and sidecar's spans over OTLP/HTTP and serves
 * its query API and UI; Prometheus (Debian's package, with its own web UI) scrapes every app and sidecar and
 * evaluates our alert and recording rules.
 */
/** Prometheus on 9095, not its usual 9090: Debian's package may run its own service there. */
export const DEV_OBSERVABILITY_PORTS = { otlp: 4318, jaegerUi: 16686, jaegerGrpc: 16685, jaegerHealth: 13133, prometheus: 9095 } as const;
/** A sidecar's metrics port is its HTTP port plus this (3500 → 3540). */
export const DEV_DAPR_METRICS_OFFSET = 40;

export const jaegerPath = () => process.env.JAEGER_PATH ?? path.join(os.homedir(), '.local', 'share', 'vcd-simple-blog', 'bin', 'jaeger');
export const prometheusPath = () => process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
export const jaegerAvailable = () => existsSync(jaegerPath());
export const prometheusAvailable = () => existsSync(prometheusPath());

export interface ScrapeTarget {
  job: 'app' | 'daprd';
  app: string;
  hostPort: string;
}

/** Jaeger v2's configuration: OTLP/HTTP in, in-memory storage, query API and UI, all on loopback. */
export function jaegerConfig(ports: { otlp: number; ui: number; grpc: number; health: number }, assetsPath: string) {
  return {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: { metrics: { level: 'none' }, logs: { level: 'warn' } },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: `127.0.0.1:${ports.health}` } },
      jaeger_query: {
        storage: { traces: 'memstore' },
        ui: { assets_path: assetsPath },
        http: { endpoint: `127.0.0.1:${ports.ui}` },
        grpc: { endpoint: `127.0.0.1:${ports.grpc}` },
      },
      jaeger_storage: { backends: { memstore: { memory: { max_traces: 50_000 } } } },
    },
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${ports.otlp}` } } } },
    processors: { batch: { timeout: '200ms' } },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memstore' } },
  };
}

export async function startJaeger(options: {
  root: string;
  runDir: string;
  ports: { otlp: number; ui: number; grpc: number; health: number };
  sink: LogSink;
}): Promise<ManagedProcess> {
  const dir = path.join(options.runDir, 'jaeger');
  await mkdir(dir, { recursive: true });
  const config = path.join(dir, 'config.yaml');
  await writeFile(config, stringify(jaegerConfig(options.ports, path.join(options.root, 'observability', 'trace-viewer'))));
  return startProcess('jaeger', jaegerPath(), ['--config', config], { cwd: dir, env: process.env, sink: options.sink });
}

/** Prometheus's configuration: every app's and sidecar's metrics endpoint, our rules, a short interval. */
export function prometheusConfig(root: string, targets: ScrapeTarget[]) {
  const job = (name: ScrapeTarget['job']) => ({
    job_name: name,
    scrape_interval: '5s',
    static_configs: targets.filter((t) => t.job === name).map((t) => ({ targets: [t.hostPort], labels: { app_id: t.app } })),
  });
  return {
    global: { scrape_interval: '5s', evaluation_interval: '5s' },
    rule_files: [path.join(root, 'observability', 'prometheus', 'rules.yml')],
    scrape_configs: [job('app'), job('daprd')],
  };
}

export async function startPrometheus(options: { root: string; runDir: string; port: number; targets: ScrapeTarget[]; sink: LogSink; reset?: boolean }): Promise<ManagedProcess> {
  const dir = path.join(options.runDir, 'prometheus');
  await mkdir(path.join(dir, 'data'), { recursive: true });
  const config = path.join(dir, 'prometheus.yml');
  await writeFile(config, stringify(prometheusConfig(options.root, options.targets)));
  return startProcess(
    'prometheus',
    prometheusPath(),
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      '--storage.tsdb.retention.time=2d',
      `--web.listen-address=127.0.0.1:${options.port}`,
      `--web.console.templates=${path.join(options.root, 'observability', 'prometheus', 'consoles')}`,
      `--web.console.libraries=${path.join(options.root, 'observability', 'prometheus', 'console_libraries')}`,
      '--log.level=warn',
    ],
    { cwd: dir, env: process.env, sink: options.sink },
  );
}

/** Where a stack's spans go and where they are read back; `stop` ends whatever it started. */
export interface TraceBackend {
  /** OTLP/HTTP host:port every app and sidecar exports to. */
  otlpHostPort: string;
  /** GET {apiUrl}/api/traces/<id> (Jaeger's shape). */
  apiUrl: string;
  /** A UI a person opens (development only). */
  uiUrl?: string;
  /** The runner's own receiver: the exports it acknowledged (Jaeger: undefined). */
  received?: () => { exports: number; bytes: number; undecodable: number };
  pids: () => number[];
  stop: () => Promise<void>;
}

/**
 * Traces: Jaeger in development when built (its UI on 16686), else the runner's own in-memory OTLP receiver with
 * our trace viewer (tests always use that receiver). `port` picks each port: the development default or a free one.
 */
export async function startTraceBackend(o: {
  mode: 'dev' | 'test';
  root: string;
  runDir: string;
  sink: LogSink;
  port: (devDefault: number) => Promise<number>;
  say: (msg: string) => void;
  watch: (proc: ManagedProcess) => void;
}): Promise<TraceBackend> {
  const viewer = path.join(o.root, 'observability', 'trace-viewer', 'index.html');
  const inMemory = async (port?: number): Promise<TraceBackend> => {
    const sink = await startTraceSink({ port, viewer });
    return {
      otlpHostPort: sink.hostPort,
      apiUrl: sink.url,
      uiUrl: o.mode === 'dev' ? sink.url : undefined,
      received: () => sink.stats(),
      pids: () => [],
      stop: () => sink.close(),
    };
  };
  if (o.mode === 'test') return inMemory();
  if (!jaegerAvailable()) {
    // A person's first run should not wait for a long Go build: traces are kept in the runner until Jaeger is built.
    o.say('Jaeger is not built yet (npm run observability:build builds it once, at low priority); until then the runner keeps traces in memory and serves the same trace viewer');
    return inMemory(await o.port(DEV_OBSERVABILITY_PORTS.otlp));
  }
  const ports = {
    otlp: await o.port(DEV_OBSERVABILITY_PORTS.otlp),
    ui: await o.port(DEV_OBSERVABILITY_PORTS.jaegerUi),
    grpc: await o.port(DEV_OBSERVABILITY_PORTS.jaegerGrpc),
    health: await o.port(DEV_OBSERVABILITY_PORTS.jaegerHealth),
  };
  const jaeger = await startJaeger({ root: o.root, runDir: o.runDir, ports, sink: o.sink });
  o.watch(jaeger);
  await untilUp(jaeger, `http://127.0.0.1:${ports.health}/status`, 30_000, (s) => s === 200);
  const url = `http://127.0.0.1:${ports.ui}`;
  return { otlpHostPort: `127.0.0.1:${ports.otlp}`, apiUrl: url, uiUrl: url, pids: () => (jaeger.child.pid ? [jaeger.child.pid] : []), stop: () => stopProcess(jaeger) };
}

/** Prometheus scraping every app and sidecar (when Debian's package is installed); undefined without it. */
export async function startMetricsStore(o: {
  root: string;
  runDir: string;
  port: number;
  targets: ScrapeTarget[];
  sink: LogSink;
  say: (msg: string) => void;
  watch: (proc: ManagedProcess) => void;
}): Promise<{ url: string; process: ManagedProcess } | undefined> {
  if (!prometheusAvailable()) {
    o.say('Prometheus is not installed (apt-get install prometheus): metrics are served by each app but not collected');
    return undefined;
  }
  const prometheus = await startPrometheus({ root: o.root, runDir: o.runDir, port: o.port, targets: o.targets, sink: o.sink });
  o.watch(prometheus);
  await untilUp(prometheus, `http://127.0.0.1:${o.port}/-/ready`, 30_000, (s) => s === 200);
  return { url: `http://127.0.0.1:${o.port}`, process: prometheus };
}
