import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import test from 'ava';
import { Sidecar } from '../src/sidecar.js';

/**
 * The secret reader thread's life: the SDK's client runs in a thread that ends once nothing is being read (the
 * stacks read every secret through real sidecars: test/security/sidecar-secrets.test.ts). Here an HTTP server
 * answers daprd's secrets API, so the thread's start, reuse, end and failures can be counted.
 */
interface FakeSidecar {
  server: Server;
  port: number;
  requests: IncomingMessage[];
}

async function fakeSidecar(secrets: Record<string, string>): Promise<FakeSidecar> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    const m = /^\/v1\.0\/secrets\/([^/]+)\/([^/?]+)/.exec(req.url ?? '');
    if (req.headers['dapr-api-token'] !== 'token') return void res.writeHead(401).end();
    // The SDK's client waits for the sidecar by reading its metadata first.
    if (!m) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'fake' }));
    const key = decodeURIComponent(m[2]!);
    if (!(key in secrets)) return void res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errorCode: 'ERR_SECRET_GET', message: `no ${key}` }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ [key]: secrets[key] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

const sidecarFor = (port: number) => new Sidecar({ host: '127.0.0.1', httpPort: port, grpcPort: 1, apiToken: 'token' });
/** Threads of this process (/proc: the reader thread is one while it runs). */
const threads = async () => (await readdir('/proc/self/task')).length;

test.serial('secrets are read in a thread that ends a second after the last read, and a later read starts another', async (t) => {
  const daprd = await fakeSidecar({ 'redis-url': 'redis://r', 'database-url': 'postgres://p', empty: '' });
  const sidecar = sidecarFor(daprd.port);
  t.teardown(() => sidecar.close().then(() => daprd.server.close()));
  const before = await threads();
  const [redis, db] = await Promise.all([sidecar.getSecret('redis-url'), sidecar.getSecret('database-url')]);
  t.is(redis, 'redis://r');
  t.is(db, 'postgres://p');
  t.true((await threads()) > before, 'the reader thread is running');
  await t.throwsAsync(sidecar.getSecret('empty'), { message: 'Secret "empty" is missing from the Dapr secret store "secretstore"' });
  await t.throwsAsync(sidecar.getSecret('nope'), { message: /no nope|nope/ });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.is(await threads(), before, 'the reader thread ended');
  t.is(await sidecar.getSecret('redis-url'), 'redis://r', 'a read after it ended starts a new one');
  t.false(Object.keys((await import('node:module')).createRequire(import.meta.url).cache ?? {}).some((f) => f.includes('/@dapr/dapr/')), 'this thread never loaded the SDK');
});

test.serial('a sidecar that cannot be reached fails the read, and close() ends the thread at once', async (t) => {
  const daprd = await fakeSidecar({});
  const port = daprd.port;
  await new Promise((resolve) => daprd.server.close(resolve));
  const sidecar = sidecarFor(port);
  const before = await threads();
  const read = sidecar.getSecret('redis-url');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.true((await threads()) > before, 'the reader thread is running');
  await sidecar.close();
  await t.throwsAsync(read, { message: /secret reader thread ended/ });
  t.is(await threads(), before, 'close() ended it');
});
