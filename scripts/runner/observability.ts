import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startProcess, type LogSink, type ManagedProcess } from './processes.js';

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
