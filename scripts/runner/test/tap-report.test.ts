import test from 'ava';
import { PassThrough, Readable } from 'node:stream';
import { reportTap } from '../tap-report.js';

const report = async (tap: string) => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const totals = await reportTap(Readable.from([tap]), out);
  return { totals, text };
};

test('results are counted from TAP, logs and failure diagnostics are shown under their test', async (t) => {
  const { totals, text } = await report(
    [
      'TAP version 13',
      'ok 1 - file › passes ✘ even with a cross in its title',
      '#   a log line',
      'not ok 2 - file › fails ✔ even with a tick in its title',
      '  ---',
      '    name: AssertionError',
      '    message: one is not two',
      '  ...',
      'ok 3 - file › skipped # SKIP',
      '1..3',
      '# tests 2',
      '# pass 1',
      '# fail 1',
      '',
    ].join('\n'),
  );
  t.like(totals, { passed: 1, failed: 1, skipped: 1, complete: true });
  t.deepEqual(totals.failures, ['file › fails ✔ even with a tick in its title: one is not two']);
  t.regex(text, /✔ file › passes ✘ even with a cross in its title\n {4}ℹ a log line\n/);
  t.regex(text, /✘ file › fails ✔ even with a tick in its title\n {6}name: AssertionError\n {6}message: one is not two\n/);
  t.notRegex(text, /tests 2/);
});

test('a report cut short (ava crashed before its plan) is not complete', async (t) => {
  const { totals } = await report('TAP version 13\nok 1 - file › one\n');
  t.like(totals, { passed: 1, failed: 0, complete: false });
});
