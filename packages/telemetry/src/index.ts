export * from './metrics.js';
export * from './trace-context.js';
export { flushTracing, RandomRatioSampler, EdgeTraceContextPropagator, samplerFor } from './tracing.js';
export { loadTelemetryConfig, type TelemetryConfig } from './config.js';
