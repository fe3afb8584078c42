import type { Sidecar } from '@vcd/dapr';

interface PartStatus {
  ok: boolean;
  ms: number;
  /** For services: the caller app id the service saw (proves the call went through Dapr). */
  callerSeen?: string | null;
  error?: string;
}

export interface ReadinessDeps {
  sidecar: Pick<Sidecar, 'health' | 'invoke'>;
  /** Whether every downstream service's route declarations are known (the gateway forwards only those). */
  routesKnown: () => Promise<boolean>;
  /** The downstream services whose /readyz counts. */
  apps: readonly string[];
}

export interface Readiness {
  /** All of it: the parts and the routes. */
  ready: boolean;
  /** The sidecar and each downstream service (`ok`: all of them). */
  parts: { ok: boolean; checks: Record<string, PartStatus> };
  routes: { ok: boolean };
}

/**
 * Whether the gateway can serve: its sidecar answers, each downstream service is ready (its /readyz, reached
 * through Dapr invocation), and every service's route declarations are loaded.
 */
export async function readReadiness(deps: ReadinessDeps, timeoutMs = 2000): Promise<Readiness> {
  const timed = async (fn: () => Promise<Omit<PartStatus, 'ms'>>): Promise<PartStatus> => {
    const started = performance.now();
    try {
      return { ...(await fn()), ms: Math.round(performance.now() - started) };
    } catch (err) {
      return { ok: false, ms: Math.round(performance.now() - started), error: (err as Error).message };
    }
  };
  const checkParts = async () => {
    const checks: Record<string, PartStatus> = {};
    checks.sidecar = await timed(async () => {
      const health = await deps.sidecar.health(timeoutMs);
      return health.ok ? { ok: true } : { ok: false, error: `daprd healthz answered ${health.status}` };
    });
    await Promise.all(
      deps.apps.map(async (app) => {
        checks[app] = await timed(async () => {
          const res = await deps.sidecar.invoke(app, 'readyz', { signal: AbortSignal.timeout(timeoutMs) });
          const body = (await res.json().catch(() => ({}))) as { caller?: string | null; checks?: Record<string, { ok: boolean }> };
          return res.ok ? { ok: true, callerSeen: body.caller ?? null } : { ok: false, callerSeen: body.caller ?? null, error: `answered ${res.status}` };
        });
      }),
    );
    return { ok: Object.values(checks).every((c) => c.ok), checks };
  };
  const [parts, routesKnown] = await Promise.all([checkParts(), deps.routesKnown()]);
  return { ready: parts.ok && routesKnown, parts, routes: { ok: routesKnown } };
}
