import test from 'ava';
import { gzipSync } from 'node:zlib';
import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTraceSink, type SinkSpan } from '../trace-sink.js';

/** Spans through the real OTLP/HTTP protobuf exporter, as the apps send them; returns their trace id. */
async function exportSpans(url: string, service: string, names: string[], compression?: 'gzip'): Promise<string> {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces`, ...(compression ? { compression: compression as never } : {}) });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('trace-sink-test');
  const root = tracer.startSpan(names[0]!);
  const traceId = root.spanContext().traceId;
  for (const name of names.slice(1)) {
    tracer.startSpan(name, { attributes: { 'db.statement': 'select 1' } }, trace.setSpan(context.active(), root)).end();
  }
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return traceId;
}

const post = (url: string, body: Buffer, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/traces`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/x-protobuf', ...headers } });

test('an export is acknowledged at once and decoded when its trace is read, through the API and the function', async (t) => {
  const sink = await startTraceSink();
  t.teardown(() => sink.close());
  const traceId = await exportSpans(sink.url, 'blog', ['POST /api/articles', 'pg.query:INSERT', 'pg.query:COMMIT']);
  t.like(sink.stats(), { exports: 3, undecodable: 0 });
  t.true(sink.stats().bytes > 0);

  const answer = (await (await fetch(`${sink.url}/api/traces/${traceId}`)).json()) as { data: { spans: SinkSpan[] }[] };
  const spans = answer.data[0]!.spans;
  t.deepEqual(spans.map((s) => s.operationName).sort(), ['POST /api/articles', 'pg.query:COMMIT', 'pg.query:INSERT']);
  t.true(spans.every((s) => s.serviceName === 'blog' && s.traceID === traceId));
  const root = spans.find((s) => s.operationName === 'POST /api/articles')!;
  t.true(spans.filter((s) => s !== root).every((s) => s.parentSpanID === root.spanID && s.tags['db.statement'] === 'select 1'));
  t.is(sink.spans(traceId).length, 3);
  t.deepEqual((await (await fetch(`${sink.url}/api/services`)).json()) as unknown, { data: ['blog'] });
});

test('gzip-compressed exports decode too', async (t) => {
  const sink = await startTraceSink();
  t.teardown(() => sink.close());
  const traceId = await exportSpans(sink.url, 'user', ['POST /events/post.published'], 'gzip');
  t.is(sink.spans(traceId)[0]?.serviceName, 'user');
});

test('bytes that are not OTLP are acknowledged, counted when read, and spoil nothing else', async (t) => {
  const sink = await startTraceSink();
  t.teardown(() => sink.close());
  for (const body of [Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), gzipSync(Buffer.from('not protobuf')), Buffer.from('\u0000\u00ff'), Buffer.from([0x1f, 0x8b, 0x08])]) {
    t.is((await post(sink.url, body, body[0] === 0x1f ? { 'content-encoding': 'gzip' } : {})).status, 200);
  }
  const traceId = await exportSpans(sink.url, 'gateway', ['GET /api/articles']);
  t.is(sink.spans(traceId).length, 1);
  t.true(sink.stats().undecodable >= 2);
  t.is(sink.stats().exports, 5);
});

test('what waits to be decoded is bounded in bytes: the oldest exports go first', async (t) => {
  const sink = await startTraceSink({ maxPendingBytes: 2_000 });
  t.teardown(() => sink.close());
  const first = await exportSpans(sink.url, 'auth', ['first']);
  for (let i = 0; i < 20; i++) await exportSpans(sink.url, 'auth', [`filler ${i}`]);
  const last = await exportSpans(sink.url, 'auth', ['last']);
  t.deepEqual(sink.spans(first), []);
  t.is(sink.spans(last).length, 1);
});
