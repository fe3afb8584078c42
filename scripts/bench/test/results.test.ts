import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { buildRequest, chooser, quantile, Recorder } from '../load-spec.js';
import { compare, loadSaved, met, saveResults, summaryTable, type ScenarioResult } from '../results.js';

const result = (over: Partial<ScenarioResult> = {}): ScenarioResult => ({
  id: 'list',
  title: 'anonymous list',
  metrics: { throughput: 1000, p50: 10, p99: 40 },
  targets: [{ metric: 'throughput', op: '>=', value: 1500, row: 'anonymous list via gateway' }],
  cpuMsPerRequest: { total: 4, gateway: 1, blog: 0.5 },
  run: { date: '2026-12-01T10:00:00.000Z', commit: 'abc1234', cores: 2, loadavgAtStart: 0.1 },
  ...over,
});

test('targets are met or not by their metric', (t) => {
  t.false(met({ metric: 'throughput', op: '>=', value: 1500, row: '' }, { throughput: 1000 }));
  t.true(met({ metric: 'p99', op: '<=', value: 25, row: '' }, { p99: 25 }));
  t.false(met({ metric: 'growth%', op: '<', value: 5, row: '' }, { 'growth%': 5 }));
  t.is(met({ metric: 'p99', op: '<=', value: 25, row: '' }, {}), undefined);
});

test('the comparison gives throughput in %, latency and CPU per request as deltas', (t) => {
  const now = result({ metrics: { throughput: 1100, p50: 9, p99: 35 }, cpuMsPerRequest: { total: 3.5, gateway: 0.6, blog: 0.5 } });
  const line = compare(now, result());
  t.regex(line, /^vs 2026-12-01 10:00 abc1234: /);
  t.regex(line, /1000 → 1100 req\/s \(\+10\.0 %\)/);
  t.regex(line, /p99 40\.0 ms → 35\.0 ms \(−5\.0\)/);
  t.regex(line, /cpu 4\.00 → 3\.50 ms\/req \(−0\.50: gateway −0\.40\)/);
  t.is(compare(now, undefined), 'no earlier result saved');
});

test('the summary is a Markdown table, one row per target', (t) => {
  const rows = summaryTable([result(), result({ id: 'steady', metrics: { p99: 20 }, targets: [{ metric: 'p99', op: '<=', value: 25, row: 'p99 at 300/s' }] })]);
  t.deepEqual(rows, [
    '| scenario | measured | target | met? |',
    '|---|---|---|---|',
    '| anonymous list via gateway | 1000 req/s | ≥ 1500 req/s | **no** |',
    '| p99 at 300/s | 20.0 ms | ≤ 25.0 ms | yes |',
  ]);
});

test('saving keeps the scenarios this run did not measure and the file before it', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-results-'));
  await saveResults(dir, { scenarios: {} }, [result(), result({ id: 'login' })], ['report'], ['table']);
  const first = await loadSaved(dir);
  await saveResults(dir, first, [result({ metrics: { throughput: 1200, p50: 9, p99: 30 } })], ['report 2'], ['table 2']);
  const second = await loadSaved(dir);
  t.is(second.scenarios.list!.metrics.throughput, 1200);
  t.truthy(second.scenarios.login);
  t.is(JSON.parse(await readFile(path.join(dir, 'previous.json'), 'utf8')).scenarios.list.metrics.throughput, 1000);
  t.is(await readFile(path.join(dir, 'last.md'), 'utf8'), 'table 2\n');
});

test('requests get a fresh body each, a URL and header set picked from the spec', (t) => {
  const spec = { name: 'create', method: 'POST' as const, urls: ['http://x/api/articles'], headers: [{ authorization: 'Token a' }], body: { type: 'article' as const, tags: ['t0'] } };
  const a = buildRequest(spec);
  const b = buildRequest(spec);
  t.not(JSON.parse(a.body!).article.title, JSON.parse(b.body!).article.title);
  t.deepEqual(a.headers, { authorization: 'Token a', 'content-type': 'application/json' });
  const event = buildRequest({ name: 'event', urls: ['http://x'], body: { type: 'post.published', authorId: 'u' } });
  t.is(JSON.parse(event.body!).id, event.eventId);
  t.is(event.headers['content-type'], 'application/cloudevents+json');
});

test('a mix is picked by weight; quantiles and the recorder count errors by status', (t) => {
  const pick = chooser([{ name: 'a', weight: 90, urls: [''] }, { name: 'b', weight: 10, urls: [''] }]);
  const counts = { a: 0, b: 0 } as Record<string, number>;
  for (let i = 0; i < 10_000; i++) counts[pick().name]!++;
  t.true(counts.a! > 8500 && counts.b! > 700);
  t.is(quantile(Float64Array.from([1, 2, 3, 4]), 0.5), 3);
  t.is(quantile([], 0.99), 0);
  const r = new Recorder();
  r.add('a', 5, '200');
  r.add('a', 7, '500');
  r.add('b', 9, 'ECONNRESET');
  const res = r.finish();
  t.is(res.count, 3);
  t.is(res.errors, 2);
  t.deepEqual(res.kinds.a!.statuses, { 200: 1, 500: 1 });
});
