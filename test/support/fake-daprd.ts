/**
 * A fake daprd for component tests of a service that calls others through its sidecar (the gateway): it speaks
 * the part of daprd's HTTP API that @vcd/dapr's Sidecar client uses (invocation, health), so the service under test
 * keeps its real client and only the other side is fake. Each downstream app is a handler; every invocation is
 * recorded as the app would have received it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sidecar } from '@vcd/dapr';
import { secret } from './component.js';

export interface Invocation {
  app: string;
  method: string;
  /** The path and query after /v1.0/invoke/<app>/method. */
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long before answering (an upstream that hangs). */
  delayMs?: number;
}

export type AppHandler = (call: Invocation) => Reply | Promise<Reply>;

export class FakeDaprd {
  readonly apiToken = secret();
  readonly calls: Invocation[] = [];
  private readonly apps = new Map<string, AppHandler>();
  private server = createServer((req, res) => void this.handle(req, res));
  port = 0;

  /** What `app` answers (every path; a handler may look at call.path). Replaces an earlier handler. */
  app(app: string, handler: AppHandler): this {
    this.apps.set(app, handler);
    return this;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The real Sidecar client, pointed at this fake (no gRPC port: nothing listens on port 1). */
  sidecar(): Sidecar {
    return new Sidecar({ host: '127.0.0.1', httpPort: this.port, grpcPort: 1, apiToken: this.apiToken });
  }

  /** Invocations of `app` so far (optionally only those whose path starts with `prefix`). */
  callsTo(app: string, prefix = ''): Invocation[] {
    return this.calls.filter((c) => c.app === app && c.path.startsWith(prefix));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? '/';
    if (url === '/v1.0/healthz' || url === '/v1.0/healthz/outbound') {
      res.writeHead(204).end();
      return;
    }
    if (req.headers['dapr-api-token'] !== this.apiToken) {
      this.reply(res, { status: 401, body: { errorCode: 'ERR_UNAUTHORIZED', message: 'bad dapr-api-token' } });
      return;
    }
    const m = /^\/v1\.0\/invoke\/([^/]+)\/method\/(.*)$/s.exec(url);
    const handler = m && this.apps.get(m[1]!);
    if (!m || !handler) {
      this.reply(res, { status: 500, body: { errorCode: 'ERR_DIRECT_INVOKE', message: `fail to invoke, id: ${m?.[1]}` } });
      return;
    }
    const call: Invocation = { app: m[1]!, method: req.method ?? 'GET', path: `/${m[2]}`, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    this.calls.push(call);
    try {
      const reply = await handler(call);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (!res.destroyed) this.reply(res, reply);
    } catch (err) {
      this.reply(res, { status: 500, body: { error: (err as Error).message } });
    }
  }

  private reply(res: ServerResponse, reply: Reply): void {
    const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status ?? 200, { ...(reply.body === undefined || typeof reply.body === 'string' ? {} : { 'content-type': 'application/json' }), ...reply.headers });
    res.end(text);
  }
}
