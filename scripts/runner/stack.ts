import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readManifest, type AppSpec } from './app-manifest.js';
import { ensureDatabases } from './databases.js';
import { ensurePostgres, ensureRedisInstalled } from './infra.js';
import { startProcess, stopProcess, killGroup, type LogSink, type ManagedProcess } from './processes.js';
import { REDIS_PASSWORD_KEYS } from './redis-acl.js';
import { startRedis } from './redis.js';
import {
  DEV_DAPR_METRICS_OFFSET,
  DEV_OBSERVABILITY_PORTS,
  jaegerAvailable,
  prometheusAvailable,
  startJaeger,
  startPrometheus,
  type ScrapeTarget,
} from './observability.js';
import { startTraceSink, type TraceSink } from './trace-sink.js';
import { renderResources, renderSentryConfig } from './resources.js';
import { newSentryTokenKey, sentryJwks, sentryToken } from './sentry-tokens.js';
import { databaseUrlKey, ensureSecrets, type Secrets } from './secrets.js';

/**
 * Development port defaults besides dapr.yaml's: all below the kernel's ephemeral range (32768-60999), where an
 * outgoing connection of any program could hold them (test/deploy/dev-ports.test.ts).
 */
export const DEV_SENTRY_PORTS = { grpc: 3530, healthz: 3531 } as const;
/** A sidecar's internal gRPC port is its gRPC port plus this (3510 → 3520). */
export const DEV_INTERNAL_GRPC_OFFSET = 10;

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StackOptions {
  root: string;
  /** Only these app ids (default: all in dapr.yaml). */
  only?: string[];
  /** 'manifest' uses the ports in dapr.yaml; 'free' picks free ports (tests). */
  ports: 'manifest' | 'free';
  dbPrefix: string;
  redisDB: number;
  runDir: string;
  secretsFile: string;
  sink: LogSink;
  resetDatabases?: boolean;
  logLevel?: string;
  daprLogLevel?: string;
  /** Called when a process exits without being asked to. */
  onUnexpectedExit?: (name: string, detail: string) => void;
  readyTimeoutMs?: number;
  /**
   * Traces and metrics backends (docs/observability.md): 'dev' starts Jaeger (when built) and Prometheus with their
   * UIs; 'test' an in-process OTLP receiver (trace-sink.ts) and Prometheus; 'off' (default) neither: apps still
   * trace and serve metrics, nothing collects them.
   */
  observability?: 'dev' | 'test' | 'off';
}

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

export interface Stack {
  apps: Map<string, RunningApp>;
  secrets: Secrets;
  gatewayUrl?: string;
  /** MailDev's web UI and REST API (GET /api/email lists received messages). */
  mailUrl: string;
  /** The stack's own Redis (users and passwords: redis-acl.ts; the admin password is the secret `redis-password`). */
  redisPort: number;
  /** Sentry's gRPC port on 127.0.0.1 (its root in <runDir>/sentry/ca.crt, the apps' tokens in <runDir>/sentry-tokens). */
  sentryPort: number;
  runDir: string;
  /** Where spans go (OTLP/HTTP base URL) and where a trace is read back (GET {traceApiUrl}/api/traces/<id>, Jaeger's shape). */
  otlpUrl?: string;
  traceApiUrl?: string;
  /** Jaeger's UI (development) and Prometheus's (API: /api/v1/...). */
  traceUiUrl?: string;
  prometheusUrl?: string;
  /** Every process id the stack started (for orphan checks). */
  pids(): number[];
  stopApp(appId: string, which?: 'app' | 'daprd' | 'both'): Promise<void>;
  /** SIGKILL the app process (not its sidecar), as a crash would. */
  killApp(appId: string): Promise<void>;
  startApp(appId: string): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the stack's own Redis: an outage in which every connection hangs. */
  pauseRedis(paused: boolean): void;
  stop(): Promise<void>;
}

/** Where the development stack's Redis listens (tests and --free-ports pick a free port). */
export const DEV_REDIS_PORT = 6380;

export const daprdPath = () => process.env.DAPRD_PATH ?? path.join(os.homedir(), '.dapr', 'bin', 'daprd');
export const sentryPath = () => process.env.SENTRY_PATH ?? path.join(os.homedir(), '.dapr', 'bin', 'sentry');

const handedOut = new Set<number>();

/** The kernel's range for outgoing connections' local ports (a port from it can be taken by any connect()). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low! > 0 && high! >= low!) return [low!, high!];
  } catch {
    // not Linux: assume the IANA range
  }
  return [49152, 65535];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port below the ephemeral range: a port the kernel handed to listen(0) comes from that range, and
 * between our check and the service's own listen an outgoing connection can take it (EADDRINUSE at start).
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  const from = 20_000;
  const to = Math.min(low, 32_768);
  for (let attempt = 0; to - from > 1000 && attempt < 100; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, headers: Record<string, string>, timeoutMs: number, isUp: (status: number) => boolean): Promise<void> {
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
async function untilUp(proc: ManagedProcess, url: string, timeoutMs: number, isUp: (status: number) => boolean): Promise<void> {
  const died = proc.exited.then(({ code, signal }) => {
    throw new Error(`${proc.name} exited during start-up (${signal ? `signal ${signal}` : `exit code ${code}`}):\n${proc.lastLines.slice(-8).join('\n')}`);
  });
  died.catch(() => undefined);
  await Promise.race([waitFor(url, {}, timeoutMs, isUp), died]);
}

/** Starts Postgres/Redis if needed, databases, secrets, migrations, then every app beside its own daprd. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const say = (m: string) => options.sink.runner(m);
  const manifest = await readManifest(options.root);
  const specs = manifest.apps.filter((a) => !options.only || options.only.includes(a.appId));
  if (options.only) {
    const unknown = options.only.filter((id) => !manifest.apps.some((a) => a.appId === id));
    if (unknown.length) throw new Error(`Unknown app id(s): ${unknown.join(', ')} (dapr.yaml has ${manifest.apps.map((a) => a.appId).join(', ')})`);
  }
  await mkdir(options.runDir, { recursive: true });

  await Promise.all([ensurePostgres(say), ensureRedisInstalled(say)]);
  await run('bash', [path.join(options.root, 'scripts/build-daprd.sh'), 'daprd', 'sentry'], { maxBuffer: 1 << 24 }).catch((err: { stderr?: string; message: string }) => {
    throw new Error(`daprd is not available: ${err.stderr || err.message}`);
  });

  const dbApps = manifest.apps.filter((a) => a.database).map((a) => a.appId);
  const free = options.ports === 'free';
  const mail = { smtpPort: free ? await freePort() : 1025, webPort: free ? await freePort() : 1080 };
  // The stack's own Redis, with passwords (scripts/runner/redis.ts); 6380 in development, beside any system Redis.
  const redisPort = free ? await freePort() : DEV_REDIS_PORT;
  const redisHost = `127.0.0.1:${redisPort}`;
  const secrets = await ensureSecrets(options.secretsFile, {
    dbPrefix: options.dbPrefix,
    dbApps,
    smtpPort: mail.smtpPort,
    redis: { hostPort: redisHost, db: options.redisDB },
  });
  await ensureDatabases({
    adminUrl: process.env.PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    dbPrefix: options.dbPrefix,
    apps: dbApps,
    secrets,
    reset: options.resetDatabases,
  });
  say(`migrating ${specs.filter((s) => s.database).map((s) => s.appId).join(', ') || 'nothing'}`);
  await Promise.all(
    specs
      .filter((s) => s.database)
      .map((s) =>
        run(process.execPath, ['--import', 'tsx', 'src/db/migrate.ts'], {
          cwd: s.appDir,
          env: { ...process.env, DATABASE_URL: secrets[databaseUrlKey(s.appId)], LOG_LEVEL: 'warn' },
        }).catch((err: { stderr?: string; message: string }) => {
          throw new Error(`migrations for ${s.appId} failed:\n${err.stderr || err.message}`);
        }),
      ),
  );

  // Traces: every app and sidecar exports to one OTLP/HTTP endpoint (Jaeger in development, the runner's own
  // receiver in tests). Started before the sidecars, so their first spans have somewhere to go.
  const observability = options.observability ?? 'off';
  let traceSink: TraceSink | undefined;
  let jaeger: ManagedProcess | undefined;
  let prometheus: ManagedProcess | undefined;
  let otlpHostPort: string | undefined;
  let traceApiUrl: string | undefined;
  let traceUiUrl: string | undefined;
  let prometheusUrl: string | undefined;
  const obsPort = async (dev: number) => (free ? await freePort() : dev);
  if (observability === 'test') {
    traceSink = await startTraceSink({ viewer: path.join(manifest.root, 'observability', 'trace-viewer', 'index.html') });
    otlpHostPort = traceSink.hostPort;
    traceApiUrl = traceSink.url;
  } else if (observability === 'dev') {
    if (jaegerAvailable()) {
      const ports = {
        otlp: await obsPort(DEV_OBSERVABILITY_PORTS.otlp),
        ui: await obsPort(DEV_OBSERVABILITY_PORTS.jaegerUi),
        grpc: await obsPort(DEV_OBSERVABILITY_PORTS.jaegerGrpc),
        health: await obsPort(DEV_OBSERVABILITY_PORTS.jaegerHealth),
      };
      jaeger = await startJaeger({ root: manifest.root, runDir: options.runDir, ports, sink: options.sink });
      await untilUp(jaeger, `http://127.0.0.1:${ports.health}/status`, 30_000, (s) => s === 200);
      otlpHostPort = `127.0.0.1:${ports.otlp}`;
      traceApiUrl = traceUiUrl = `http://127.0.0.1:${ports.ui}`;
    } else {
      // A person's first run should not wait for a long Go build: traces are kept in the runner until Jaeger is built.
      say('Jaeger is not built yet (npm run observability:build builds it once, at low priority); until then the runner keeps traces in memory and serves the same trace viewer');
      traceSink = await startTraceSink({ port: await obsPort(DEV_OBSERVABILITY_PORTS.otlp), viewer: path.join(manifest.root, 'observability', 'trace-viewer', 'index.html') });
      otlpHostPort = traceSink.hostPort;
      traceApiUrl = traceUiUrl = traceSink.url;
    }
  }

  const { resourcesPath, configDir } = await renderResources(manifest, options.runDir, {
    secretsFile: path.resolve(options.secretsFile),
    redisDB: options.redisDB,
    redisHost,
    nameResolutionDb: path.join(options.runDir, 'nameresolution.db'),
    smtp: { host: '127.0.0.1', port: mail.smtpPort },
    otlpEndpoint: otlpHostPort,
  });

  const apps = new Map<string, RunningApp>();
  for (const spec of specs) {
    apps.set(spec.appId, {
      spec,
      appPort: free ? await freePort() : spec.appPort,
      daprHttpPort: free ? await freePort() : spec.daprHttpPort,
      daprGrpcPort: free ? await freePort() : spec.daprGrpcPort,
      daprInternalGrpcPort: free ? await freePort() : spec.daprGrpcPort + DEV_INTERNAL_GRPC_OFFSET,
      metricsPort: free || !spec.env.METRICS_PORT ? await freePort() : Number(spec.env.METRICS_PORT),
      daprMetricsPort: free ? await freePort() : spec.daprHttpPort + DEV_DAPR_METRICS_OFFSET,
      appApiToken: randomBytes(24).toString('base64url'),
      daprApiToken: randomBytes(24).toString('base64url'),
    });
  }

  let stopping = false;
  let maildev: ManagedProcess | undefined;
  let redis: ManagedProcess | undefined;
  const watch = (proc: ManagedProcess) => {
    void proc.exited.then(({ code, signal }) => {
      if (proc.stopping || stopping) return;
      const detail = `${proc.name} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); its last output:\n${proc.lastLines.slice(-10).map((l) => `    ${l}`).join('\n')}`;
      say(detail);
      options.onUnexpectedExit?.(proc.name, detail);
    });
  };

  // Sentry, Dapr's certificate authority: every sidecar gets an mTLS certificate with its app id (SPIFFE), which
  // the callee's access control checks. It creates a self-signed root in its credentials folder on first start.
  // It signs an app id only for a request with that app's token (JWKS validator, ADR 10): a key made for this run,
  // one token per app, each readable by its owner only and handed to that app's daprd.
  const sentryPorts = { grpc: free ? await freePort() : DEV_SENTRY_PORTS.grpc, healthz: free ? await freePort() : DEV_SENTRY_PORTS.healthz };
  const credentials = path.join(options.runDir, 'sentry');
  const tokens = path.join(options.runDir, 'sentry-tokens');
  const tokenFile = (appId: string) => path.join(tokens, `${appId}.jwt`);
  let sentry: ManagedProcess | undefined;
  let trustAnchors = '';
  const startSentry = async () => {
    await mkdir(credentials, { recursive: true });
    await mkdir(tokens, { recursive: true, mode: 0o700 });
    const tokenKey = newSentryTokenKey();
    await writeFile(path.join(tokens, 'jwks.json'), sentryJwks(tokenKey));
    for (const a of apps.values()) await writeFile(tokenFile(a.spec.appId), sentryToken(tokenKey, a.spec.appId), { mode: 0o600 });
    const sentryConfig = await renderSentryConfig(manifest.configDir, options.runDir, path.join(tokens, 'jwks.json'));
    sentry = startProcess(
      'sentry',
      sentryPath(),
      ['--config', sentryConfig, '--issuer-credentials', credentials, '--trust-domain', 'localhost', '--port', String(sentryPorts.grpc), '--listen-address', '127.0.0.1',
        '--healthz-port', String(sentryPorts.healthz), '--healthz-listen-address', '127.0.0.1', '--enable-metrics=false', '--log-level', 'warn'],
      { cwd: options.runDir, env: process.env, sink: options.sink },
    );
    watch(sentry);
    await untilUp(sentry, `http://127.0.0.1:${sentryPorts.healthz}/healthz`, 30_000, (s) => s === 200);
    trustAnchors = await readFile(path.join(credentials, 'ca.crt'), 'utf8');
  };

  const launch = async (a: RunningApp) => {
    const configFile = path.join(configDir, path.basename(a.spec.configFile));
    const baseEnv = { ...process.env, LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? 'info' };
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
        '--resources-path', resourcesPath,
        '--config', configFile,
        '--enable-metrics',
        '--metrics-port', String(a.daprMetricsPort),
        '--metrics-listen-address', '127.0.0.1',
        '--enable-mtls',
        '--sentry-address', `127.0.0.1:${sentryPorts.grpc}`,
        '--log-level', options.daprLogLevel ?? 'warn',
      ],
      {
        cwd: manifest.root,
        env: { ...baseEnv, APP_API_TOKEN: a.appApiToken, DAPR_API_TOKEN: a.daprApiToken, DAPR_TRUST_ANCHORS: trustAnchors, DAPR_SENTRY_TOKEN_FILE: tokenFile(a.spec.appId) },
        sink: options.sink,
      },
    );
    watch(a.daprd);
    await launchApp(a);
  };
  const launchApp = async (a: RunningApp) => {
    const baseEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? 'info' };
    // Absolute links (the feeds') point at this stack's gateway unless a public address is configured.
    const gateway = apps.get('gateway');
    if (gateway && !baseEnv.PUBLIC_BASE_URL) baseEnv.PUBLIC_BASE_URL = `http://127.0.0.1:${gateway.appPort}`;
    const [cmd, ...args] = a.spec.command;
    const env: NodeJS.ProcessEnv = {
      ...baseEnv,
      ...a.spec.env,
      APP_ID: a.spec.appId,
      APP_PORT: String(a.appPort),
      DAPR_HTTP_PORT: String(a.daprHttpPort),
      DAPR_GRPC_PORT: String(a.daprGrpcPort),
      APP_API_TOKEN: a.appApiToken,
      DAPR_API_TOKEN: a.daprApiToken,
      METRICS_PORT: String(a.metricsPort),
    };
    // Spans go to this stack's backend, or nowhere (never to dapr.yaml's default address, another stack's Jaeger).
    if (otlpHostPort) env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://${otlpHostPort}`;
    else delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    a.app = startProcess(a.spec.appId, cmd === 'node' ? process.execPath : cmd!, args, { cwd: a.spec.appDir, sink: options.sink, env });
    watch(a.app);
    const timeout = options.readyTimeoutMs ?? 90_000;
    // The app listens once it has its secrets and database; then daprd's /v1.0/healthz answers 204 once its
    // components are loaded and it has connected to the app.
    await untilUp(a.app, `http://127.0.0.1:${a.appPort}/healthz`, timeout, (s) => s === 200);
    await waitFor(`http://127.0.0.1:${a.daprHttpPort}/v1.0/healthz`, { 'dapr-api-token': a.daprApiToken }, timeout, (s) => s === 204);
  };

  const stack: Stack = {
    apps,
    secrets,
    runDir: options.runDir,
    gatewayUrl: apps.has('gateway') ? `http://127.0.0.1:${apps.get('gateway')!.appPort}` : undefined,
    mailUrl: `http://127.0.0.1:${mail.webPort}`,
    redisPort,
    sentryPort: sentryPorts.grpc,
    otlpUrl: otlpHostPort ? `http://${otlpHostPort}` : undefined,
    get traceApiUrl() {
      return traceApiUrl;
    },
    get traceUiUrl() {
      return traceUiUrl;
    },
    get prometheusUrl() {
      return prometheusUrl;
    },
    pids: () =>
      [...apps.values()]
        .flatMap((a) => [a.app?.child.pid, a.daprd?.child.pid])
        .concat(maildev?.child.pid, sentry?.child.pid, redis?.child.pid, jaeger?.child.pid, prometheus?.child.pid)
        .filter((p): p is number => !!p),
    async stopApp(appId, which = 'both') {
      const a = apps.get(appId);
      if (!a) throw new Error(`no app ${appId}`);
      if (which !== 'daprd' && a.app) await stopProcess(a.app);
      if (which !== 'app' && a.daprd) await stopProcess(a.daprd);
    },
    async killApp(appId) {
      const a = apps.get(appId);
      if (!a?.app?.child.pid) throw new Error(`no running app ${appId}`);
      a.app.stopping = true;
      killGroup(a.app.child.pid, 'SIGKILL');
      await a.app.exited;
    },
    pauseRedis(paused) {
      if (!redis?.child.pid) throw new Error('the stack runs no Redis of its own');
      process.kill(redis.child.pid, paused ? 'SIGSTOP' : 'SIGCONT');
    },
    async startApp(appId) {
      const a = apps.get(appId);
      if (!a) throw new Error(`no app ${appId}`);
      if (a.daprd && a.daprd.child.exitCode === null && a.daprd.child.signalCode === null) await launchApp(a);
      else await launch(a);
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      process.off('exit', killAll);
      // Apps first (they drain and stop their relays), then their sidecars.
      await Promise.all([...apps.values()].map((a) => (a.app ? stopProcess(a.app) : undefined)));
      await Promise.all([...apps.values()].map((a) => (a.daprd ? stopProcess(a.daprd) : undefined)));
      if (maildev) await stopProcess(maildev);
      if (sentry) await stopProcess(sentry);
      if (redis) await stopProcess(redis);
      if (prometheus) await stopProcess(prometheus);
      if (jaeger) await stopProcess(jaeger);
      await traceSink?.close();
    },
  };
  const killAll = () => {
    for (const pid of stack.pids()) killGroup(pid, 'SIGKILL');
  };
  process.on('exit', killAll);

  say(`starting Redis (:${redisPort}), Sentry (mTLS), ${specs.map((s) => s.appId).join(', ')} (each beside its own daprd), MailDev (SMTP :${mail.smtpPort}, web :${mail.webPort})`);
  try {
    // A reset stack starts from empty streams and counters too (consumer groups, dead letters, rate limits).
    redis = await startRedis({
      port: redisPort,
      dir: path.join(options.runDir, 'redis'),
      passwords: { admin: secrets[REDIS_PASSWORD_KEYS.admin]!, pubsub: secrets[REDIS_PASSWORD_KEYS.pubsub]!, ratelimit: secrets[REDIS_PASSWORD_KEYS.ratelimit]! },
      reset: options.resetDatabases,
      sink: options.sink,
    });
    watch(redis);
    if (specs.some((s) => s.appId === 'auth')) {
      maildev = startProcess(
      'maildev',
      process.execPath,
      [path.join(manifest.root, 'node_modules/maildev/dist/bin/maildev.js'), '--smtp', String(mail.smtpPort), '--web', String(mail.webPort),
        '--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--hide-extensions', 'STARTTLS'],
      { cwd: options.runDir, env: process.env, sink: options.sink },
    );
    watch(maildev);
    await untilUp(maildev, `http://127.0.0.1:${mail.webPort}/api/healthz`, 30_000, (s) => s === 200);
    }
    await startSentry();
    if (observability !== 'off' && prometheusAvailable()) {
      const port = await obsPort(DEV_OBSERVABILITY_PORTS.prometheus);
      const targets: ScrapeTarget[] = [...apps.values()].flatMap((a) => [
        { job: 'app' as const, app: a.spec.appId, hostPort: `127.0.0.1:${a.metricsPort}` },
        { job: 'daprd' as const, app: a.spec.appId, hostPort: `127.0.0.1:${a.daprMetricsPort}` },
      ]);
      prometheus = await startPrometheus({ root: manifest.root, runDir: options.runDir, port, targets, sink: options.sink });
      watch(prometheus);
      await untilUp(prometheus, `http://127.0.0.1:${port}/-/ready`, 30_000, (s) => s === 200);
      prometheusUrl = `http://127.0.0.1:${port}`;
    } else if (observability !== 'off') {
      say('Prometheus is not installed (apt-get install prometheus): metrics are served by each app but not collected');
    }
    await Promise.all([...apps.values()].map(launch));
    // With every service running, the stack is ready when the gateway is: its sidecar, each service through
    // Dapr, and the routes each service declares (the only ones it forwards).
    const gw = apps.get('gateway');
    if (gw && ['auth', 'blog', 'user'].every((id) => apps.has(id))) {
      await untilUp(gw.app!, `http://127.0.0.1:${gw.appPort}/readyz`, options.readyTimeoutMs ?? 90_000, (s) => s === 200);
    }
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}
