import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A door in front of a real daprd's HTTP API that holds each request until the test lets it through, then forwards
 * it unchanged (token included) and returns daprd's answer: a sidecar call as slow as the test wants, and a record
 * of what was sent (the CloudEvent ids of publish calls).
 */
export async function slowSidecar(target: { host: string; port: number }) {
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const held: string[] = [];
  const forwarded: { path: string; body: string; status: number }[] = [];
  let arrived: () => void = () => undefined;
  let arrival = new Promise<void>((resolve) => (arrived = resolve));
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer(async (req, res) => {
    const body = await read(req);
    held.push(body);
    arrived();
    await gate;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const answer = await fetch(`http://${target.host}:${target.port}${req.url}`, { method: req.method, headers, body: body || undefined });
    const text = await answer.text();
    forwarded.push({ path: req.url ?? '', body, status: answer.status });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(text);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    /** From now on every request waits until release(). */
    hold: () => {
      gate = new Promise((resolve) => (open = resolve));
      arrival = new Promise((resolve) => (arrived = resolve));
    },
    release: () => open(),
    /** Resolves when a request has arrived (since the last hold()). */
    arrived: () => arrival,
    held,
    forwarded,
    /** Ids of the CloudEvents forwarded to daprd's publish API. */
    publishedIds: () => forwarded.filter((f) => f.path.startsWith('/v1.0/publish/')).map((f) => (JSON.parse(f.body) as { id: string }).id),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
