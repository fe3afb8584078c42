import test from 'ava';
import { stack } from '../support/stack.js';

// daprd 1.18.3's app channel shared one middleware pipeline root between concurrent calls: a call could run
// another call's handler, so when the app was down some calls came back as 200 with an empty body (an event then
// counted as delivered and was lost). tools/daprd/patches fixes it; this pins the fix with the real sidecars.

const control = async (action: 'stop' | 'start', app: string) => {
  const res = await fetch(`${stack().controlUrl}/apps/${app}/${action}`, { method: 'POST' });
  if (res.status !== 204) throw new Error(`${action} ${app}: HTTP ${res.status} ${await res.text()}`);
};

test('while an app is down, every concurrent call through its sidecar fails; none comes back as an empty success', async (t) => {
  const blog = stack().apps.blog!;
  const call = async () => {
    const res = await fetch(`http://127.0.0.1:${blog.daprHttpPort}/v1.0/invoke/user/method/internal/stats`, {
      headers: { 'dapr-api-token': blog.daprApiToken },
    });
    return { status: res.status, body: await res.text() };
  };
  t.is((await call()).status, 200, 'the call works while user is up');
  await control('stop', 'user');
  try {
    const results: { status: number; body: string }[] = [];
    for (let round = 0; round < 100; round++) results.push(...(await Promise.all(Array.from({ length: 100 }, call))));
    const successes = results.filter((r) => r.status < 300);
    t.deepEqual(successes, [], `${successes.length} of ${results.length} calls to a stopped app answered as if it had`);
    t.true(results.every((r) => r.status >= 500), 'each call fails as the sidecar reports an unreachable app');
  } finally {
    await control('start', 'user');
  }
  t.is((await call()).status, 200, 'and works again after the restart');
});
