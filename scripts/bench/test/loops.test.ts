import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { closedLoad } from '../closed-loop.js';
import { pacedLoad } from '../paced.js';

/** A server that answers 201 to POSTs (keeping their bodies), 500 on /fail and 200 otherwise. */
async function server() {
  const bodies: string[] = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'POST') bodies.push(body);
      res.statusCode = req.url === '/fail' ? 500 : req.method === 'POST' ? 201 : 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, bodies, close: () => new Promise((r) => srv.close(r)) };
}

test('the paced load sends rate × seconds requests, a fresh body each, and counts what failed', async (t) => {
  const s = await server();
  const reports: number[] = [];
  const res = await pacedLoad({
    rate: 200,
    seconds: 0.5,
    mix: [
      { name: 'create', weight: 3, method: 'POST', urls: [`${s.url}/api/articles`], headers: [{ authorization: 'Token x' }], body: { type: 'article', tags: ['t0'] } },
      { name: 'fail', weight: 1, urls: [`${s.url}/fail`] },
    ],
    intervalSeconds: 0.2,
    onInterval: (r) => reports.push(r.count),
  });
  await s.close();
  t.is(res.count, 100);
  t.is(res.kinds.create!.count + res.kinds.fail!.count, 100);
  t.is(res.errors, res.kinds.fail!.count);
  t.is(new Set(s.bodies).size, s.bodies.length);
  // Interval reports as they end; the answers after the last full one are in the totals only (unless they span half an interval).
  const reported = reports.reduce((a, b) => a + b, 0);
  // How many fall in a full interval depends on timers (a loaded machine delays them): never more than were sent.
  t.true(reports.length >= 1 && reported > 0 && reported <= 100, `${reports.join(', ')}`);
});

test('the closed loop keeps its connections busy until the time is up', async (t) => {
  const s = await server();
  const res = await closedLoad({ connections: 4, seconds: 0.5, mix: [{ name: 'list', urls: [`${s.url}/api/articles`] }] });
  await s.close();
  // More requests than connections: each connection sent again after its answer (a loaded machine, running other
  // test files, may give the loop few turns in half a second; one round would be exactly 4).
  t.true(res.count > 4, `${res.count} requests`);
  t.is(res.errors, 0);
  t.true(res.throughput > 0);
});
