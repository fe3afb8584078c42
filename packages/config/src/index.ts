import { z } from 'zod';

export { z };

/** Thrown when the environment does not satisfy a service's config schema. */
export class ConfigError extends Error {
  constructor(readonly service: string, readonly issues: string[]) {
    super(`Invalid configuration for ${service}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses and validates configuration once, at start-up. Every problem is reported at once, naming the
 * environment variable, so a bad deployment stops with one clear message.
 */
export function parseConfig<S extends z.ZodType>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return Object.freeze(result.data) as z.infer<S>;
  const issues = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(root)';
    const received = (env as Record<string, unknown>)[String(issue.path[0])];
    return `${name}: ${issue.message}${received === undefined ? ' (not set)' : ''}`;
  });
  throw new ConfigError(service, issues);
}

/** Common helpers for env schemas. */
export const port = (fallback?: number) =>
  fallback === undefined
    ? z.coerce.number().int().min(1).max(65535)
    : z.coerce.number().int().min(1).max(65535).default(fallback);

export const durationMs = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Settings every service shares: its port, its sidecar's ports and the tokens between them. */
export const sidecarEnv = {
  APP_PORT: port(),
  APP_HOST: z.string().default('127.0.0.1'),
  DAPR_HTTP_PORT: port(3500),
  DAPR_GRPC_PORT: port(3510),
  DAPR_HOST: z.string().default('127.0.0.1'),
  /** Sent by daprd to the app on every call (app API token). */
  APP_API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  /** Sent by the app to daprd (Dapr API token). */
  DAPR_API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: durationMs(10_000),
  /**
   * Every this many ms the service checks whether it was idle and holds a busy period's heap or malloc's free
   * memory, and then gives it back (ADR 20, fifth and sixth addenda); 0: leave it to V8 and malloc. At least 5 s
   * between the two collections lets V8 shrink its young generation at the second.
   */
  IDLE_COMPACTION_MS: durationMs(6_000),
};

/**
 * Retention of the messaging tables (ADR 15), for every service with an outbox: published outbox rows and inbox rows
 * older than EVENT_RETENTION_DAYS are deleted by the outbox relay, checked every RETENTION_SWEEP_INTERVAL_MS. The
 * inbox recognises a redelivered event only while it keeps the id, so the age must exceed the longest redelivery.
 */
export const messagingEnv = {
  EVENT_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(7),
  RETENTION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
};
