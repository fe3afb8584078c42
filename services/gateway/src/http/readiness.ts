import type { Sidecar } from '@vcd/dapr';

export interface PartStatus {
  ok: boolean;
  ms: number;
  /** For services: the caller app id the service saw (proves the call went through Dapr). */
  callerSeen?: string | null;
  error?: string;
}

/** The gateway's sidecar and each downstream service (its /readyz, reached through Dapr invocation). */
export async function checkReadiness(sidecar: Sidecar, apps: readonly string[], timeoutMs = 2000) {
  const timed = async (fn: () => Promise<Omit<PartStatus, 'ms'>>): Promise<PartStatus> => {
    const started = performance.now();
    try {
      return { ...(await fn()), ms: Math.round(performance.now() - started) };
    } catch (err) {
      return { ok: false, ms: Math.round(performance.now() - started), error: (err as Error).message };
    }
  };
  const checks: Record<string, PartStatus> = {};
  checks.sidecar = await timed(async () => {
    const health = await sidecar.health(timeoutMs);
    return health.ok ? { ok: true } : { ok: false, error: `daprd healthz answered ${health.status}` };
  });
  await Promise.all(
    apps.map(async (app) => {
      checks[app] = await timed(async () => {
        const res = await sidecar.invoke(app, 'readyz', { signal: AbortSignal.timeout(timeoutMs) });
        const body = (await res.json().catch(() => ({}))) as { caller?: string | null; checks?: Record<string, { ok: boolean }> };
        return res.ok ? { ok: true, callerSeen: body.caller ?? null } : { ok: false, callerSeen: body.caller ?? null, error: `answered ${res.status}` };
      });
    }),
  );
  return { ok: Object.values(checks).every((c) => c.ok), checks };
}
