import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const fixture = fileURLToPath(new URL('./fixtures/exit-on-signals.ts', import.meta.url));

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} to the test runner or the bench runs its exit handlers (which kill the stack) and exits ${code}`, async (t) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!sent && out.includes('ready\n')) sent = child.kill(signal);
    });
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    t.is(exitCode, code);
    t.true(out.includes(`exit handler ran with ${code}`), out);
  });
}
