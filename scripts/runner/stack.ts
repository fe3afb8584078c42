import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { readManifest, type AppSpec } from './app-manifest.js';
import { ensureDatabases, migrateApps } from './databases.js';
import { requireInfrastructure } from './infra.js';
import { launchApp, launchSidecarAndApp, startSidecar, type LaunchContext, type RunningApp } from './launch.js';
import { DEV_DAPR_METRICS_OFFSET, DEV_OBSERVABILITY_PORTS, startMetricsStore, startTraceBackend, type TraceBackend } from './observability.js';
import { DEV_INTERNAL_GRPC_OFFSET, DEV_REDIS_PORT, DEV_SENTRY_PORTS, freePort } from './ports.js';
import { killGroup, startProcess, stopProcess, type LogSink, type ManagedProcess } from './processes.js';
import { untilUp } from './readiness.js';
import { REDIS_PASSWORD_KEYS } from './redis-acl.js';
import { startRedis } from './redis.js';
import { compiledSpec } from './compiled-apps.js';
import { renderResources } from './resources.js';
import { ensureSecrets, type Secrets } from './secrets.js';
import { startSentry, type RunningSentry } from './sentry.js';

// The parts a stack is made of, each in a file of its own (ports, readiness, sentry, launch, observability,
// databases); this file puts them together in order and stops them in reverse.
export { DEV_INTERNAL_GRPC_OFFSET, DEV_REDIS_PORT, DEV_SENTRY_PORTS, freePort } from './ports.js';
export { daprdPath, type RunningApp } from './launch.js';
export { sentryPath } from './sentry.js';

const run = promisify(execFile);

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
  /**
   * Sampling of traces, apps and sidecars alike (0–1; default: everything, as development wants): the apps get it as
   * OTEL_TRACES_SAMPLER_ARG, the sidecars' Configurations are rendered with it.
   */
  traceSamplingRate?: number;
  /** Start the apps as compiled JavaScript from this folder (filled by compiled-apps.ts compileWorkspace), as the images do, instead of through tsx. */
  compiledDir?: string;
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
  /** What the runner's own trace receiver acknowledged (undefined with Jaeger or without traces). */
  spansReceived(): { exports: number; bytes: number; undecodable: number } | undefined;
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

/** Each app of `specs` with its ports (dapr.yaml's, or free ones) and fresh API tokens for it and its sidecar. */
async function allocateApps(specs: AppSpec[], free: boolean): Promise<Map<string, RunningApp>> {
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
  return apps;
}

/**
 * Secrets and each service's database and role; then the migrations, returned as a promise that the caller awaits
 * before starting the apps (Redis, MailDev, sentry and the rest start meanwhile).
 */
async function prepareData(
  options: StackOptions,
  specs: AppSpec[],
  dbApps: string[],
  smtpPort: number,
  redisHost: string,
): Promise<{ secrets: Secrets; migrated: Promise<void> }> {
  const secrets = await ensureSecrets(options.secretsFile, { dbPrefix: options.dbPrefix, dbApps, smtpPort, redis: { hostPort: redisHost, db: options.redisDB } });
  await ensureDatabases({
    adminUrl: process.env.PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    dbPrefix: options.dbPrefix,
    apps: dbApps,
    secrets,
    reset: options.resetDatabases,
  });
  const migrating = specs.filter((s) => s.database);
  options.sink.runner(`migrating ${migrating.map((s) => s.appId).join(', ') || 'nothing'}`);
  const migrated = migrateApps(migrating, secrets, !!options.compiledDir);
  migrated.catch(() => undefined); // awaited by the caller; never an unhandled rejection meanwhile
  return { secrets, migrated };
}

/** Checks what it needs, prepares data, starts Redis, MailDev, sentry and observability, then every app beside its own daprd. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const say = (m: string) => options.sink.runner(m);
  const manifest = await readManifest(options.root);
  const specs = manifest.apps.filter((a) => !options.only || options.only.includes(a.appId));
  const unknown = (options.only ?? []).filter((id) => !manifest.apps.some((a) => a.appId === id));
  if (unknown.length) throw new Error(`Unknown app id(s): ${unknown.join(', ')} (dapr.yaml has ${manifest.apps.map((a) => a.appId).join(', ')})`);
  await mkdir(options.runDir, { recursive: true });
  await requireInfrastructure();
  await run('bash', [path.join(options.root, 'scripts/build-daprd.sh'), 'daprd', 'sentry'], { maxBuffer: 1 << 24 }).catch((err: { stderr?: string; message: string }) => {
    throw new Error(`daprd is not available: ${err.stderr || err.message}`);
  });

  const free = options.ports === 'free';
  const port = async (devDefault: number) => (free ? await freePort() : devDefault);
  const mail = { smtpPort: await port(1025), webPort: await port(1080) };
  // The stack's own Redis, with passwords (scripts/runner/redis.ts); 6380 in development, beside any system Redis.
  const redisPort = await port(DEV_REDIS_PORT);
  const redisHost = `127.0.0.1:${redisPort}`;
  const compiledDir = options.compiledDir;
  const runnable = compiledDir ? specs.map((s) => compiledSpec(s, manifest.root, compiledDir)) : specs;
  const { secrets, migrated } = await prepareData(options, runnable, manifest.apps.filter((a) => a.database).map((a) => a.appId), mail.smtpPort, redisHost);

  let stopping = false;
  const watch = (proc: ManagedProcess) => {
    void proc.exited.then(({ code, signal }) => {
      if (proc.stopping || stopping) return;
      const detail = `${proc.name} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); its last output:\n${proc.lastLines.slice(-10).map((l) => `    ${l}`).join('\n')}`;
      say(detail);
      options.onUnexpectedExit?.(proc.name, detail);
    });
  };

  // Traces: every app and sidecar exports to one OTLP/HTTP endpoint. Started before the sidecars, so their first
  // spans have somewhere to go.
  const observability = options.observability ?? 'off';
  const traces: TraceBackend | undefined =
    observability === 'off' ? undefined : await startTraceBackend({ mode: observability, root: manifest.root, runDir: options.runDir, sink: options.sink, port, say, watch });
  const { resourcesPath, configDir } = await renderResources(manifest, options.runDir, {
    secretsFile: path.resolve(options.secretsFile),
    redisDB: options.redisDB,
    redisHost,
    nameResolutionDb: path.join(options.runDir, 'nameresolution.db'),
    smtp: { host: '127.0.0.1', port: mail.smtpPort },
    otlpEndpoint: traces?.otlpHostPort,
    traceSamplingRate: options.traceSamplingRate,
  });
  const apps = await allocateApps(runnable, free);
  const sentryPorts = { grpc: await port(DEV_SENTRY_PORTS.grpc), healthz: await port(DEV_SENTRY_PORTS.healthz) };

  let maildev: ManagedProcess | undefined;
  let redis: ManagedProcess | undefined;
  let sentry: RunningSentry | undefined;
  let prometheus: { url: string; process: ManagedProcess } | undefined;
  let launchContext: LaunchContext | undefined;
  const context = () => {
    if (!launchContext) throw new Error('the stack has not started its sidecars yet');
    return launchContext;
  };

  const stack: Stack = {
    apps,
    secrets,
    runDir: options.runDir,
    gatewayUrl: apps.has('gateway') ? `http://127.0.0.1:${apps.get('gateway')!.appPort}` : undefined,
    mailUrl: `http://127.0.0.1:${mail.webPort}`,
    redisPort,
    sentryPort: sentryPorts.grpc,
    otlpUrl: traces ? `http://${traces.otlpHostPort}` : undefined,
    traceApiUrl: traces?.apiUrl,
    traceUiUrl: traces?.uiUrl,
    spansReceived: () => traces?.received?.(),
    get prometheusUrl() {
      return prometheus?.url;
    },
    pids: () =>
      [...apps.values()]
        .flatMap((a) => [a.app?.child.pid, a.daprd?.child.pid])
        .concat(maildev?.child.pid, sentry?.process.child.pid, redis?.child.pid, prometheus?.process.child.pid, ...(traces?.pids() ?? []))
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
      if (a.daprd && a.daprd.child.exitCode === null && a.daprd.child.signalCode === null) await launchApp(a, context());
      else await launchSidecarAndApp(a, context());
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      process.off('exit', killAll);
      // Apps first (they drain and stop their relays), then their sidecars, then what they all used.
      await Promise.all([...apps.values()].map((a) => (a.app ? stopProcess(a.app) : undefined)));
      await Promise.all([...apps.values()].map((a) => (a.daprd ? stopProcess(a.daprd) : undefined)));
      for (const proc of [maildev, sentry?.process, redis, prometheus?.process]) if (proc) await stopProcess(proc);
      await traces?.stop();
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
    // MailDev, sentry and Prometheus start together while the migrations run; the sidecars start as soon as sentry
    // is up (they load their components meanwhile), and the apps once the migrations are applied.
    const targets = [...apps.values()].flatMap((a) => [
      { job: 'app' as const, app: a.spec.appId, hostPort: `127.0.0.1:${a.metricsPort}` },
      { job: 'daprd' as const, app: a.spec.appId, hostPort: `127.0.0.1:${a.daprMetricsPort}` },
    ]);
    const services = Promise.allSettled([
      apps.has('auth') ? startMailDev(manifest.root, options, mail, watch).then((p) => (maildev = p)) : undefined,
      observability === 'off'
        ? undefined
        : port(DEV_OBSERVABILITY_PORTS.prometheus).then((p) =>
            startMetricsStore({ root: manifest.root, runDir: options.runDir, port: p, targets, sink: options.sink, say, watch }).then((m) => (prometheus = m)),
          ),
      migrated.then(() => say('migrations applied')),
    ]);
    const startedSentry = await startSentry({ configDir: manifest.configDir, runDir: options.runDir, appIds: [...apps.keys()], ports: sentryPorts, sink: options.sink, watch }).catch(
      async (err: unknown) => {
        await services; // nothing left starting behind the stop that follows
        throw err;
      },
    );
    sentry = startedSentry;
    launchContext = {
      root: manifest.root,
      resourcesPath,
      configDir,
      sentry: { address: `127.0.0.1:${sentryPorts.grpc}`, trustAnchors: startedSentry.trustAnchors, tokenFile: startedSentry.tokenFile },
      otlpHostPort: traces?.otlpHostPort,
      traceSamplingRate: options.traceSamplingRate,
      gatewayUrl: stack.gatewayUrl,
      logLevel: options.logLevel ?? process.env.LOG_LEVEL ?? 'info',
      daprLogLevel: options.daprLogLevel ?? 'warn',
      readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
      sink: options.sink,
      watch,
    };
    say('starting the sidecars');
    for (const a of apps.values()) startSidecar(a, context());
    const failed = (await services).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    say('starting the apps');
    await Promise.all([...apps.values()].map((a) => launchApp(a, context())));
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

/** MailDev (npm) as the SMTP catcher, with its web UI and REST API. */
async function startMailDev(root: string, options: StackOptions, mail: { smtpPort: number; webPort: number }, watch: (p: ManagedProcess) => void): Promise<ManagedProcess> {
  const maildev = startProcess(
    'maildev',
    process.execPath,
    [path.join(root, 'node_modules/maildev/dist/bin/maildev.js'), '--smtp', String(mail.smtpPort), '--web', String(mail.webPort),
      '--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--hide-extensions', 'STARTTLS'],
    { cwd: options.runDir, env: process.env, sink: options.sink },
  );
  watch(maildev);
  await untilUp(maildev, `http://127.0.0.1:${mail.webPort}/api/healthz`, 30_000, (s) => s === 200);
  return maildev;
}
