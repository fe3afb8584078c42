import type { IncomingMessage } from 'node:http';
import { trace, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TelemetryConfig } from './config.js';

/** Requests nobody wants a trace of: probes (daprd asks every second) and scrapes. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/dapr/config', '/dapr/subscribe']);

/**
 * A ratio sampler that ignores the trace id: at the public edge the client chooses the trace id, and a ratio
 * sampler keyed on it could be steered into keeping every trace.
 */
export class RandomRatioSampler implements Sampler {
  constructor(private readonly ratio: number) {}
  shouldSample(): SamplingResult {
    return { decision: Math.random() < this.ratio ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
  }
  toString(): string {
    return `RandomRatioSampler{${this.ratio}}`;
  }
}

/**
 * W3C trace context, as every hop uses it; at the public edge the client's tracestate (vendor data of the client's
 * choosing) is dropped, so it never travels into the system.
 */
export class EdgeTraceContextPropagator implements TextMapPropagator {
  private readonly w3c = new W3CTraceContextPropagator();
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    this.w3c.inject(ctx, carrier, setter);
  }
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.w3c.extract(ctx, carrier, getter);
    const remote = trace.getSpanContext(extracted);
    return remote?.traceState ? trace.setSpanContext(extracted, { ...remote, traceState: undefined }) : extracted;
  }
  fields(): string[] {
    return this.w3c.fields();
  }
}

/** The sampler of a process: always-on in development, parent-based with a ratio elsewhere (see config.ts). */
export function samplerFor(config: Pick<TelemetryConfig, 'sampleRatio' | 'publicEdge'>): Sampler {
  if (config.publicEdge) {
    // Outside callers' sampled flags decide nothing here; our own ratio does.
    const ours = new RandomRatioSampler(config.sampleRatio);
    return new ParentBasedSampler({ root: ours, remoteParentSampled: ours, remoteParentNotSampled: ours });
  }
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) });
}

let provider: NodeTracerProvider | undefined;

/**
 * Starts tracing for this process: the provider, W3C propagation (no baggage: nothing a client sends travels
 * further than the trace context), OTLP/HTTP export, and instrumentation of node:http (incoming requests from
 * daprd, outgoing to daprd), undici/fetch (our calls to daprd), pg and ioredis. Outgoing calls and queries are
 * traced only inside a trace (pollers and relays do not start traces of their own for every poll).
 */
export function startTracing(config: TelemetryConfig, extraProcessors: SpanProcessor[] = []): NodeTracerProvider {
  const processors: SpanProcessor[] = [...extraProcessors];
  if (config.otlpEndpoint) {
    processors.push(
      // Small batches, often: the exporter serializes a batch on the event loop in one go, and 512 spans every 500 ms
      // stalled a busy gateway for 25–30 ms (the p99 of its cached reads at 300/s: 38–55 ms, 12–15 without tracing).
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.otlpEndpoint}/v1/traces`, timeoutMillis: 5_000 }), {
        scheduledDelayMillis: 200,
        maxQueueSize: 4096,
        maxExportBatchSize: 64,
      }),
    );
  }
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    sampler: samplerFor(config),
    spanProcessors: processors,
  });
  provider.register({ propagator: config.publicEdge ? new EdgeTraceContextPropagator() : new W3CTraceContextPropagator() });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0]!),
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  return provider;
}

/** Sends the spans still buffered (call on shutdown, before the process exits). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush().catch(() => undefined);
}


