import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { readManifest } from '../../../scripts/runner/app-manifest.js';

/**
 * auth's malloc settings (dapr.yaml; compose and Kubernetes say the same, test/deploy/consistency.test.ts) keep the
 * argon2id blocks while logins come, instead of faulting 19 MiB in for every hash, and hand them back when idle,
 * all of them: the brk heap keeps room to grow, so the main arena never continues in a mapping of its own, where a
 * block stayed (ADR 20, eighth and ninth addenda). Checked in a process started with those settings, beside the old
 * ones.
 */
const fixture = fileURLToPath(new URL('./fixtures/argon2-memory.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const MALLOC = ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_', 'GLIBC_TUNABLES', 'UV_THREADPOOL_SIZE'];

interface Burst {
  releases: boolean;
  faultsPerVerification: number;
  peak: number;
  after: number;
  outsideHeap: number;
}

function burst(settings: Record<string, string>): Burst {
  const env = { ...process.env };
  for (const name of MALLOC) delete env[name];
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', fixture], { env: { ...env, ...settings }, encoding: 'utf8', cwd: root })) as Burst;
}

test.serial("with auth's settings a burst of logins reuses the argon2id blocks, and the release hands memory back", async (t) => {
  const auth = (await readManifest(root)).apps.find((a) => a.appId === 'auth')!;
  const settings = Object.fromEntries(MALLOC.filter((name) => auth.env[name] !== undefined).map((name) => [name, auth.env[name]!]));
  // glibc's malloc_trim hands back only the main arena's top: one arena, or a thread arena's block would stay.
  t.is(settings.MALLOC_ARENA_MAX, '1');
  const r = burst(settings);
  t.log(r);
  t.true(r.releases, 'koffi and glibc');
  // A block faulted in for each verification is 19 MiB: at least 9 faults even in 2 MiB pages, 4 864 in 4 KiB ones.
  t.true(r.faultsPerVerification < 5, `page faults per verification: ${r.faultsPerVerification}`);
  t.true(r.peak - r.after >= 15, `the release hands a block back (RSS ${r.peak.toFixed(0)} → ${r.after.toFixed(0)} MiB)`);
  // Without MALLOC_TOP_PAD_, 5 runs of 6 here ended with the main arena continued in a 20 MiB mapping, resident.
  t.true(r.outsideHeap < 2, `resident in large anonymous mappings outside the brk heap after the release: ${r.outsideHeap.toFixed(1)} MiB`);
});

test.serial('the settings before: a block mapped for each hash is faulted in every time', (t) => {
  const r = burst({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '1048576', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1', UV_THREADPOOL_SIZE: '2' });
  t.log(r);
  t.true(r.faultsPerVerification >= 9, `page faults per verification: ${r.faultsPerVerification}`);
});
