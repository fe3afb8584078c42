import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

/**
 * An OTLP/HTTP (protobuf) trace receiver for test stacks: every app and every daprd exports to it, and tests read
 * a trace back through a Jaeger-shaped API (GET /api/traces/<traceId>), the same shape as the development stack's
 * Jaeger answers. It keeps spans in memory (bounded) and is part of the test runner, so `npm test` needs no Go build
 * of a trace backend. Only the fields tests read are decoded (the rest of the OTLP message is skipped by protobuf).
 * With `viewer` (observability/trace-viewer/index.html) it also serves that page and the few query endpoints it
 * uses (services, operations, trace search), so a development stack without Jaeger still has a trace UI.
 *
 * An export is only acknowledged when it arrives: its body is kept as it came (bounded in bytes, the oldest dropped
 * first) and decoded when a trace is first asked for. The bench's stack exports every span of a load to this sink in
 * the bench's own process, and decoding each batch as it came cost 0.1–0.5 ms of CPU per request on the cores the
 * stack was measured on; nothing reads those spans.
 */
const OTLP = protobuf.parse(`
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { Scope scope = 1; repeated Span spans = 2; }
message Scope { string name = 1; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
}
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; } }
`).root.lookupType('otlp.ExportTraceServiceRequest');

export interface SinkSpan {
  traceID: string;
  spanID: string;
  parentSpanID?: string;
  operationName: string;
  kind: number;
  serviceName: string;
  scope: string;
  startTime: number;
  duration: number;
  tags: Record<string, string | number | boolean>;
}

interface KV {
  key: string;
  value?: { stringValue?: string; boolValue?: boolean; intValue?: number | string; doubleValue?: number };
}
const hex = (b?: Uint8Array) => (b && b.length ? Buffer.from(b).toString('hex') : undefined);
const attrs = (list: KV[] = []) =>
  Object.fromEntries(list.map((kv) => [kv.key, kv.value?.stringValue ?? kv.value?.boolValue ?? Number(kv.value?.intValue ?? kv.value?.doubleValue ?? NaN)]));

export interface TraceSink {
  /** OTLP/HTTP base URL (apps append /v1/traces). */
  url: string;
  /** host:port for daprd's Configuration (tracing.otel.endpointAddress). */
  hostPort: string;
  port: number;
  server: Server;
  spans(traceId: string): SinkSpan[];
  /** Exports received (and their bytes), and how many of them did not decode when read. */
  stats(): { exports: number; bytes: number; undecodable: number };
  close(): Promise<void>;
}

export async function startTraceSink(options: { port?: number; maxSpans?: number; maxPendingBytes?: number; viewer?: string } = {}): Promise<TraceSink> {
  const page = options.viewer ? readFileSync(options.viewer) : undefined;
  const byTrace = new Map<string, SinkSpan[]>();
  let count = 0;
  const maxSpans = options.maxSpans ?? 200_000;
  // Exports received and not decoded yet, oldest first.
  const pending: { body: Buffer; gzip: boolean }[] = [];
  let pendingBytes = 0;
  const maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
  const stats = { exports: 0, bytes: 0, undecodable: 0 };
  const add = (span: SinkSpan) => {
    if (count >= maxSpans) {
      // Forget the oldest traces first (Map keeps insertion order).
      const [oldest, list] = byTrace.entries().next().value as [string, SinkSpan[]];
      byTrace.delete(oldest);
      count -= list.length;
    }
    const list = byTrace.get(span.traceID) ?? [];
    list.push(span);
    byTrace.set(span.traceID, list);
    count++;
  };
  const decode = ({ body, gzip }: { body: Buffer; gzip: boolean }) => {
    const msg = OTLP.toObject(OTLP.decode(gzip ? gunzipSync(body) : body), { longs: Number }) as {
      resourceSpans?: { resource?: { attributes?: KV[] }; scopeSpans?: { scope?: { name?: string }; spans?: Record<string, unknown>[] }[] }[];
    };
    for (const rs of msg.resourceSpans ?? []) {
      const serviceName = String(attrs(rs.resource?.attributes)['service.name'] ?? 'unknown');
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          const start = Number(s.startTimeUnixNano ?? 0);
          add({
            traceID: hex(s.traceId as Uint8Array)!,
            spanID: hex(s.spanId as Uint8Array)!,
            parentSpanID: hex(s.parentSpanId as Uint8Array),
            operationName: String(s.name ?? ''),
            kind: Number(s.kind ?? 0),
            serviceName,
            scope: ss.scope?.name ?? '',
            startTime: Math.round(start / 1000),
            duration: Math.round((Number(s.endTimeUnixNano ?? start) - start) / 1000),
            tags: attrs(s.attributes as KV[]),
          });
        }
      }
    }
  };
  /** Decodes what arrived since the last read (an export that does not decode is counted and skipped). */
  const catchUp = () => {
    for (const item of pending.splice(0)) {
      try {
        decode(item);
      } catch {
        stats.undecodable++;
      }
    }
    pendingBytes = 0;
  };
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    if (req.method === 'POST' && url === '/v1/traces') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        stats.exports++;
        stats.bytes += body.length;
        pending.push({ body, gzip: req.headers['content-encoding'] === 'gzip' });
        pendingBytes += body.length;
        while (pendingBytes > maxPendingBytes && pending.length > 1) pendingBytes -= pending.shift()!.body.length;
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
      return;
    }
    catchUp();
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const m = /^\/api\/traces\/([0-9a-f]{32})$/.exec(url);
    if (req.method === 'GET' && m) {
      json({ data: [{ traceID: m[1], spans: byTrace.get(m[1]!) ?? [] }] });
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    const { pathname, searchParams } = new URL(url, 'http://sink');
    if (pathname === '/api/services') {
      json({ data: [...new Set([...byTrace.values()].flatMap((l) => l.map((s) => s.serviceName)))] });
      return;
    }
    const ops = /^\/api\/services\/([^/]+)\/operations$/.exec(pathname);
    if (ops) {
      const svc = decodeURIComponent(ops[1]!);
      json({ data: [...new Set([...byTrace.values()].flatMap((l) => l.filter((s) => s.serviceName === svc).map((s) => s.operationName)))] });
      return;
    }
    if (pathname === '/api/traces') {
      const svc = searchParams.get('service');
      const op = searchParams.get('operation');
      const limit = Math.min(Number(searchParams.get('limit')) || 20, 200);
      const found = [...byTrace.entries()]
        .reverse()
        .filter(([, l]) => l.some((s) => s.serviceName === svc && (!op || s.operationName === op)))
        .slice(0, limit)
        .map(([traceID, spans]) => ({ traceID, spans }));
      json({ data: found });
      return;
    }
    if (page && (pathname === '/' || /^\/trace\/[0-9a-fA-F]{32}$/.test(pathname))) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    port,
    server,
    spans: (id) => {
      catchUp();
      return byTrace.get(id) ?? [];
    },
    stats: () => ({ ...stats }),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
