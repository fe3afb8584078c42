import os from 'node:os';
import path from 'node:path';
import type { AppSpec } from './app-manifest.js';
import { startProcess, type LogSink, type ManagedProcess } from './processes.js';
import { untilUp, waitFor } from './readiness.js';

export const daprdPath = () => process.env.DAPRD_PATH ?? path.join(os.homedir(), '.dapr', 'bin', 'daprd');

export interface RunningApp {
  spec: AppSpec;
  appPort: number;
  daprHttpPort: number;
  daprGrpcPort: number;
  daprInternalGrpcPort: number;
  /** The app's Prometheus endpoint (GET /metrics, loopback, never the public port) and its sidecar's. */
  metricsPort: number;
  daprMetricsPort: number;
  appApiToken: string;
  daprApiToken: string;
  app?: ManagedProcess;
  daprd?: ManagedProcess;
}

/** What every launch shares: where things are, and how the stack watches what it starts. */
export interface LaunchContext {
  root: string;
  resourcesPath: string;
  configDir: string;
  sentry: { address: string; trustAnchors: string; tokenFile: (appId: string) => string };
  /** OTLP/HTTP host:port of this stack's trace backend, if any. */
  otlpHostPort?: string;
  /** Sampling ratio of the apps' traces (OTEL_TRACES_SAMPLER_ARG); default theirs (everything in development). */
  traceSamplingRate?: number;
  /** The gateway's own address: absolute links point there unless PUBLIC_BASE_URL is set. */
  gatewayUrl?: string;
  logLevel: string;
  daprLogLevel: string;
  readyTimeoutMs: number;
  sink: LogSink;
  watch: (proc: ManagedProcess) => void;
}

/** Starts an app's daprd, then the app beside it. */
export async function launchSidecarAndApp(a: RunningApp, c: LaunchContext): Promise<void> {
  startSidecar(a, c);
  await launchApp(a, c);
}

/**
 * Starts an app's daprd (mTLS through sentry, metrics on loopback) without waiting for it: it loads its components
 * and waits for its app meanwhile (launchApp waits until both are healthy).
 */
export function startSidecar(a: RunningApp, c: LaunchContext): void {
  a.daprd = startProcess(
    `${a.spec.appId}:dapr`,
    daprdPath(),
    [
      '--app-id', a.spec.appId,
      '--app-port', String(a.appPort),
      '--app-protocol', 'http',
      '--app-channel-address', '127.0.0.1',
      '--dapr-http-port', String(a.daprHttpPort),
      '--dapr-grpc-port', String(a.daprGrpcPort),
      '--dapr-internal-grpc-port', String(a.daprInternalGrpcPort),
      '--dapr-listen-addresses', '127.0.0.1',
      '--dapr-internal-grpc-listen-address', '127.0.0.1',
      '--resources-path', c.resourcesPath,
      '--config', path.join(c.configDir, path.basename(a.spec.configFile)),
      '--enable-metrics',
      '--metrics-port', String(a.daprMetricsPort),
      '--metrics-listen-address', '127.0.0.1',
      '--enable-mtls',
      '--sentry-address', c.sentry.address,
      '--log-level', c.daprLogLevel,
    ],
    {
      cwd: c.root,
      env: {
        ...process.env,
        LOG_LEVEL: c.logLevel,
        APP_API_TOKEN: a.appApiToken,
        DAPR_API_TOKEN: a.daprApiToken,
        DAPR_TRUST_ANCHORS: c.sentry.trustAnchors,
        DAPR_SENTRY_TOKEN_FILE: c.sentry.tokenFile(a.spec.appId),
      },
      sink: c.sink,
    },
  );
  c.watch(a.daprd);
}

/** Starts the app (its sidecar already runs) and waits until the app and the sidecar's link to it are healthy. */
export async function launchApp(a: RunningApp, c: LaunchContext): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: c.logLevel };
  if (c.gatewayUrl && !env.PUBLIC_BASE_URL) env.PUBLIC_BASE_URL = c.gatewayUrl;
  Object.assign(env, a.spec.env, {
    APP_ID: a.spec.appId,
    APP_PORT: String(a.appPort),
    DAPR_HTTP_PORT: String(a.daprHttpPort),
    DAPR_GRPC_PORT: String(a.daprGrpcPort),
    APP_API_TOKEN: a.appApiToken,
    DAPR_API_TOKEN: a.daprApiToken,
    METRICS_PORT: String(a.metricsPort),
  });
  // Spans go to this stack's backend, or nowhere (never to dapr.yaml's default address, another stack's Jaeger).
  if (c.otlpHostPort) env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://${c.otlpHostPort}`;
  else delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (c.traceSamplingRate !== undefined) env.OTEL_TRACES_SAMPLER_ARG = String(c.traceSamplingRate);
  // VCD_APP_NODE_OPTIONS: NODE_OPTIONS for the apps alone (V8 flags measured by the bench; the load generator and
  // the runner keep their own).
  if (process.env.VCD_APP_NODE_OPTIONS !== undefined) env.NODE_OPTIONS = process.env.VCD_APP_NODE_OPTIONS;
  const [cmd, ...command] = a.spec.command;
  // VCD_CPU_PROF_DIR=dir: each Node app writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  // One folder per app: the loader's worker thread writes a profile of its own beside the main thread's.
  const profile = process.env.VCD_CPU_PROF_DIR && cmd === 'node' ? ['--cpu-prof', `--cpu-prof-dir=${path.join(process.env.VCD_CPU_PROF_DIR, a.spec.appId)}`] : [];
  const args = [...profile, ...command];
  a.app = startProcess(a.spec.appId, cmd === 'node' ? process.execPath : cmd!, args, { cwd: a.spec.appDir, sink: c.sink, env });
  c.watch(a.app);
  // The app listens once it has its secrets and database; then daprd's /v1.0/healthz answers 204 once its
  // components are loaded and it has connected to the app.
  const started = performance.now();
  const since = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  await untilUp(a.app, `http://127.0.0.1:${a.appPort}/healthz`, c.readyTimeoutMs, (s) => s === 200);
  c.sink.line('runner', 'stdout', `${a.spec.appId} listening ${since()} after its start`);
  await waitFor(`http://127.0.0.1:${a.daprHttpPort}/v1.0/healthz`, { 'dapr-api-token': a.daprApiToken }, c.readyTimeoutMs, (s) => s === 204);
  c.sink.line('runner', 'stdout', `${a.spec.appId}'s sidecar connected to it ${since()} after its start`);
}
