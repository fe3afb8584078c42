import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { context, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter, SamplingDecision, SimpleSpanProcessor, type Sampler } from '@opentelemetry/sdk-trace-base';
import { loadTelemetryConfig } from '../src/config.js';
import { startTracing } from '../src/tracing.js';

// Tracing starts before the HTTP stack is loaded (as --import @vcd/telemetry/register does in the services).
const exporter = new InMemorySpanExporter();
startTracing(loadTelemetryConfig({ APP_ID: 'unit', NODE_ENV: 'test' }), [new SimpleSpanProcessor(exporter)]);
const { createServiceApp, defineRoute } = await import('@vcd/http');
const { createLogger } = await import('@vcd/logging');
const { currentTraceparent, inSpanFrom, registry, samplerFor, EdgeTraceContextPropagator } = await import('../src/index.js');

const lines: Record<string, unknown>[] = [];
const logger = createLogger('unit', {
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  }),
});
const TOKEN = 'unit-test-app-api-token';
const app = createServiceApp({
  service: 'unit',
  logger,
  appApiToken: TOKEN,
  routes: [
    defineRoute({
      method: 'get',
      path: '/api/things/:id',
      operationId: 'GetThing',
      summary: 'thing',
      tags: ['t'],
      auth: 'public',
      responses: { 200: { description: 'ok' } },
      handler: (_input, ctx) => {
        ctx.state.log.info('handling a thing');
        return { body: { ok: true } };
      },
    }),
  ],
});
const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
test.after.always(() => server.close());
const call = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { headers: { 'dapr-api-token': TOKEN, 'dapr-caller-app-id': 'gateway', ...headers } });

test.serial("every log line of a request carries the trace id of the traceparent it came with and the id of the request's own span", async (t) => {
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const parent = 'b7ad6b7169203331';
  const res = await call('/api/things/42', { traceparent: `00-${traceId}-${parent}-01` });
  t.is(res.status, 200);
  const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && s.spanContext().traceId === traceId);
  t.truthy(server, 'a server span in the caller\'s trace');
  t.is(server!.name, 'GET /api/things/:id', 'named after the route template');
  t.is(server!.attributes['http.route'], '/api/things/:id');
  t.is(server!.parentSpanContext?.spanId, parent);
  const mine = lines.filter((l) => l.trace_id === traceId);
  t.deepEqual(mine.map((l) => l.msg).sort(), ['handling a thing', 'request']);
  for (const l of mine) t.is(l.span_id, server!.spanContext().spanId);
});

test.serial('request metrics are labelled by route template; unknown paths share one label', async (t) => {
  await call('/api/things/abc');
  await call('/api/nothing-here-xyz');
  const text = await registry.metrics();
  t.regex(text, /http_server_request_duration_seconds_count\{method="GET",route="\/api\/things\/:id",status="200"\} \d+/);
  t.regex(text, /route="unmatched",status="404"/);
  t.false(text.includes('nothing-here-xyz'));
  t.false(text.includes('/api/things/abc'));
});

test('the outbox context: a stored traceparent makes the publication a child of the writing span; a bad one starts a new trace', async (t) => {
  const tracer = trace.getTracer('unit');
  const stored = await tracer.startActiveSpan('write', async (span) => {
    const tp = currentTraceparent();
    span.end();
    return { tp, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
  });
  t.is(stored.tp, `00-${stored.traceId}-${stored.spanId}-01`);
  const child = await inSpanFrom(stored.tp, 'topic publish', { kind: SpanKind.PRODUCER }, async (span) => span);
  t.is(child.spanContext().traceId, stored.traceId);
  t.is((child as unknown as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId, stored.spanId);
  const fresh = await inSpanFrom('00-not-a-trace', 'topic publish', {}, async (span) => span);
  t.not(fresh.spanContext().traceId, stored.traceId);
  t.is(currentTraceparent(), undefined, 'no context outside a span');
});

test("at the public edge, a client's sampled flag decides nothing and its tracestate is dropped", (t) => {
  const remote = (flags: TraceFlags) =>
    trace.setSpanContext(ROOT_CONTEXT, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: flags, isRemote: true });
  const args = (ctx: ReturnType<typeof remote>): Parameters<Sampler['shouldSample']> => [ctx, 'a'.repeat(32), 'GET', SpanKind.SERVER, {}, []];
  t.is(samplerFor({ publicEdge: true, sampleRatio: 0 }).shouldSample(...args(remote(TraceFlags.SAMPLED))).decision, SamplingDecision.NOT_RECORD);
  t.is(samplerFor({ publicEdge: true, sampleRatio: 1 }).shouldSample(...args(remote(TraceFlags.NONE))).decision, SamplingDecision.RECORD_AND_SAMPLED);
  // Inside the system a sampled parent is followed.
  t.is(samplerFor({ publicEdge: false, sampleRatio: 0 }).shouldSample(...args(remote(TraceFlags.SAMPLED))).decision, SamplingDecision.RECORD_AND_SAMPLED);
  const extracted = new EdgeTraceContextPropagator().extract(
    context.active(),
    { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`, tracestate: 'evil=1' },
    { get: (c, k) => (c as Record<string, string>)[k], keys: (c) => Object.keys(c as object) },
  );
  t.is(trace.getSpanContext(extracted)?.traceId, 'c'.repeat(32));
  t.is(trace.getSpanContext(extracted)?.traceState, undefined);
});
