import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

const tracer = () => trace.getTracer('vcd-simple-blog');

/**
 * The W3C traceparent of the active span (undefined outside a trace or with tracing off): what the outbox stores
 * beside an event, so that its publication and handling join the trace of the change that caused it.
 */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Runs `fn` in a new span whose parent is the stored `traceparent` (or a new trace without one), e.g. the relay's
 * publication of an outbox row. Errors mark the span and are rethrown.
 */
export function inSpanFrom<T>(
  traceparent: string | null | undefined,
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = traceparent && TRACEPARENT.test(traceparent) ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent, (span) => run(span, fn));
}

/** Runs `fn` in a child span of the active one (no span when there is no active trace). */
export function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes }, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!trace.getActiveSpan()) return fn(undefined);
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, (span) => run(span, fn));
}

async function run<T>(span: Span, fn: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await fn(span);
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message?.slice(0, 200) });
    throw err;
  } finally {
    span.end();
  }
}

/** Names the active server span after the matched route template (`GET /api/articles/:slug`), never the raw path. */
export function nameServerSpan(method: string, route: string): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.updateName(`${method} ${route}`);
  span.setAttribute('http.route', route);
}

/** Injects the active trace context into outgoing headers (for transports no instrumentation covers, e.g. HTTP/2 gRPC). */
export function injectTraceHeaders(set: (name: string, value: string) => void): void {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  for (const [k, v] of Object.entries(carrier)) set(k, v);
}

export { SpanKind };
