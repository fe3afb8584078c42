import test from 'ava';
import { api, stack } from '../support/stack.js';

const control = (action: string, app: string) => fetch(`${stack().controlUrl}/apps/${app}/${action}`, { method: 'POST' }).then((r) => t200(r));
const t200 = async (r: Response) => {
  if (r.status !== 204) throw new Error(`control answered ${r.status}: ${await r.text()}`);
};

test('a stopped service gives a bounded 503 problem, and the gateway reports it not ready', async (t) => {
  await control('stop', 'blog');
  try {
    const started = Date.now();
    const res = await api('GET', '/api/tags');
    const elapsed = Date.now() - started;
    t.true(res.status === 503 || res.status === 504, `status ${res.status}`);
    t.regex(res.body.code, /^GATEWAY\.UPSTREAM_/);
    t.true(elapsed < 15_000, `answered after ${elapsed} ms`);
    const ready = await api('GET', '/readyz');
    t.is(ready.status, 503);
    t.false(ready.body.checks.blog.ok);
    t.true(ready.body.checks.auth.ok);
  } finally {
    await control('start', 'blog');
  }
  t.is((await api('GET', '/api/tags')).status, 200);
});
