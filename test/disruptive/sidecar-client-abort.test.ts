import test from 'ava';
import http from 'node:http';
import { eventually, stack } from '../support/stack.js';

// daprd 1.18.3 wrote an invocation's response from a goroutine that could outlive the HTTP handler when a
// Resiliency timeout applies (ours do) and the caller went away mid-response: the late write panicked and took
// the sidecar down. tools/daprd/patches/0002 makes the handler wait; this drives callers that hang up halfway.

/** Starts a GET through the sidecar and destroys the socket as soon as the first bytes of the body arrive. */
function hangUpMidResponse(port: number, token: string, path: string): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { 'dapr-api-token': token }, agent: false }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
      res.once('end', resolve);
    });
    req.once('error', () => resolve());
    req.once('close', () => resolve());
  });
}

test('callers that hang up in the middle of responses do not take their sidecar down', async (t) => {
  const gateway = stack().apps.gateway!;
  // The blog service's OpenAPI document: a response of some size, so the sidecar is still copying it.
  const path = '/v1.0/invoke/blog/method/openapi.json';
  const call = () => fetch(`http://127.0.0.1:${gateway.daprHttpPort}${path}`, { headers: { 'dapr-api-token': gateway.daprApiToken } });
  const first = await call();
  t.is(first.status, 200);
  t.true((await first.arrayBuffer()).byteLength > 16_384, 'a response large enough to be written in several pieces');
  for (let round = 0; round < 20; round++) {
    await Promise.all(Array.from({ length: 40 }, () => hangUpMidResponse(gateway.daprHttpPort, gateway.daprApiToken, path)));
  }
  // The sidecar may take a moment to notice the last hang-ups; it must answer again within seconds.
  let after: Response | undefined;
  await eventually(async () => (after = await call().catch((err: Error) => ({ status: 0, statusText: err.message }) as Response)).status === 200, 5000, 100).catch(() => undefined);
  t.is(after?.status, 200, `the sidecar still answers after 800 hang-ups (${after?.statusText})`);
});
