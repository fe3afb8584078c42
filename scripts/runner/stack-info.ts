import type { Stack } from './stack.js';

/** What system tests need to know about a running stack (written to a JSON file, passed as STACK_INFO). */
export interface StackInfo {
  root: string;
  runDir: string;
  gatewayUrl: string;
  /** MailDev REST API: GET {mailUrl}/api/email lists messages (the SMTP catcher the auth service sends to). */
  mailUrl: string;
  /** The stack's Redis on 127.0.0.1 (the `default` user's password is secrets['redis-password']). */
  redisPort: number;
  /** Sentry's gRPC port on 127.0.0.1 (root: <runDir>/sentry/ca.crt; each app's token: <runDir>/sentry-tokens/<app>.jwt). */
  sentryPort: number;
  /** Database name prefix and Redis DB of this test stack (set by scripts/test.ts). */
  dbPrefix?: string;
  redisDB?: number;
  /** The file every app's, sidecar's and the runner's output goes to, and the levels they log at (set by scripts/test.ts). */
  logFile?: string;
  logLevel?: string;
  daprLogLevel?: string;
  /**
   * POST {controlUrl}/apps/<id>/stop|kill|start stops (SIGTERM), kills (SIGKILL) or restarts a service app (not its
   * daprd); POST {controlUrl}/redis/pause|resume freezes or thaws the stack's Redis (SIGSTOP/SIGCONT).
   */
  controlUrl?: string;
  /** Traces (Jaeger's API shape: GET {traceApiUrl}/api/traces/<id>) and Prometheus (set when the stack collects them). */
  traceApiUrl?: string;
  prometheusUrl?: string;
  secrets: Record<string, string>;
  apps: Record<
    string,
    { appPort: number; daprHttpPort: number; daprGrpcPort: number; metricsPort: number; daprMetricsPort: number; appApiToken: string; daprApiToken: string; pids: number[] }
  >;
}

export function stackInfoOf(stack: Stack, root: string): StackInfo {
  return {
    root,
    runDir: stack.runDir,
    gatewayUrl: stack.gatewayUrl ?? '',
    mailUrl: stack.mailUrl,
    redisPort: stack.redisPort,
    sentryPort: stack.sentryPort,
    traceApiUrl: stack.traceApiUrl,
    prometheusUrl: stack.prometheusUrl,
    secrets: stack.secrets,
    apps: Object.fromEntries(
      [...stack.apps.entries()].map(([id, a]) => [
        id,
        {
          appPort: a.appPort,
          daprHttpPort: a.daprHttpPort,
          daprGrpcPort: a.daprGrpcPort,
          metricsPort: a.metricsPort,
          daprMetricsPort: a.daprMetricsPort,
          appApiToken: a.appApiToken,
          daprApiToken: a.daprApiToken,
          pids: [a.app?.child.pid, a.daprd?.child.pid].filter((p): p is number => !!p),
        },
      ]),
    ),
  };
}
