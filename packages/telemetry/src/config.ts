import { parseConfig, port, z } from '@vcd/config';

/**
 * Telemetry settings, parsed once when the process starts (register.ts). Standard OpenTelemetry names where one
 * exists, so platform tooling that sets them just works.
 */
export const loadTelemetryConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseConfig(
    'telemetry',
    z
      .object({
        /** The service's name on its spans (default: the Dapr app id). */
        OTEL_SERVICE_NAME: z.string().min(1).max(64).optional(),
        APP_ID: z.string().min(1).max(64).optional(),
        /** OTLP/HTTP (protobuf) base URL, e.g. http://127.0.0.1:4318 (spans go to <url>/v1/traces). Unset: no export. */
        OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
        /** Switches tracing off entirely (no spans, no propagation from this process). */
        OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
        /**
         * Share of new traces to keep (parent-based: a sampled parent inside the system is always followed). Default:
         * everything in development and tests, 10 % elsewhere.
         */
        OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
        NODE_ENV: z.string().default('production'),
        /** Where Prometheus scrapes this app (a port of its own, never the public one). Unset: no metrics server. */
        METRICS_PORT: port().optional(),
        METRICS_HOST: z.string().default('127.0.0.1'),
        /**
         * Whether this process is a public edge (the gateway): a traceparent from outside is continued (same trace
         * id, so a client can find its request) but its sampled flag decides nothing, and its tracestate is dropped.
         */
        TRACE_PUBLIC_EDGE: z.enum(['true', 'false']).default('false'),
      })
      .transform((c) => ({
        serviceName: c.OTEL_SERVICE_NAME ?? c.APP_ID ?? 'unknown-service',
        otlpEndpoint: c.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, ''),
        enabled: c.OTEL_SDK_DISABLED !== 'true',
        sampleRatio: c.OTEL_TRACES_SAMPLER_ARG ?? (['development', 'test'].includes(c.NODE_ENV) ? 1 : 0.1),
        metrics: c.METRICS_PORT === undefined ? undefined : { port: c.METRICS_PORT, host: c.METRICS_HOST },
        publicEdge: c.TRACE_PUBLIC_EDGE === 'true',
      })),
    env,
  );

export type TelemetryConfig = ReturnType<typeof loadTelemetryConfig>;
