/**
 * `npm run test:k8s`: the Kubernetes deployment for real. Brings up the project's single-node cluster with the
 * Dapr control plane and deploy/k8s/overlays/host-cluster (`scripts/k8s/up`: builds what is missing, cached), runs
 * the ava tests of test/k8s/ against it (the cluster and the flows first, then the disruptive ones alone), and
 * always tears it down (`scripts/k8s/down`), printing the time of each phase. Exit code 0 only when every test
 * passed and the host was left clean. KEEP_CLUSTER=1 leaves the cluster up (`npm run k8s:down` later).
 * Not part of `npm test` (CI time): see docs/deploy.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const started = Date.now();
const secs = (from: number) => `${((Date.now() - from) / 1000).toFixed(0)} s`;
const say = (text: string) => process.stdout.write(`\x1b[35m[k8s-test]\x1b[0m ${text}\n`);
const timings: [string, string][] = [];

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
const capture = (cmd: string, args: string[], env: NodeJS.ProcessEnv) => spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8' }).stdout.trim();

let code = 1;
let stopping = false;
const down = async () => {
  if (stopping) return 0;
  stopping = true;
  if (process.env.KEEP_CLUSTER === '1') {
    say('KEEP_CLUSTER=1: the cluster stays up (npm run k8s:down)');
    return 0;
  }
  const t = Date.now();
  say('tearing down (scripts/k8s/down)');
  const rc = await run('bash', ['scripts/k8s/down']);
  timings.push(['down', secs(t)]);
  return rc;
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void down().then(() => process.exit(130)));

try {
  let t = Date.now();
  say('bringing the cluster up (scripts/k8s/up)');
  if ((await run('bash', ['scripts/k8s/up'])) !== 0) throw new Error('scripts/k8s/up failed');
  timings.push(['up (build if needed, cluster, images, Dapr, deploy)', secs(t)]);

  const dir = capture('bash', ['scripts/k8s/build', '--print-dir'], process.env);
  const kubectlBin = path.join(dir, 'bin', 'kubectl');
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: '/var/lib/vcd-simple-blog-k8s/run/admin.kubeconfig', K8S_KUBECTL: kubectlBin };
  if (process.env.K8S_STATE_DIR) env.KUBECONFIG = path.join(process.env.K8S_STATE_DIR, 'run/admin.kubeconfig');
  const ip = (svc: string) => capture(kubectlBin, ['-n', 'vcd', 'get', 'svc', svc, '-o', 'jsonpath={.spec.clusterIP}'], env);
  env.K8S_GATEWAY_URL = `http://${ip('gateway')}`;
  env.K8S_MAILDEV_URL = `http://${ip('maildev')}:1080`;
  say(`gateway ${env.K8S_GATEWAY_URL}, MailDev ${env.K8S_MAILDEV_URL}`);

  const ava = path.join(root, 'node_modules/.bin/ava');
  t = Date.now();
  const first = await run(ava, ['--timeout=5m', 'test/k8s/cluster.test.ts', 'test/k8s/flow.test.ts'], env);
  timings.push(['tests: cluster, flows', secs(t)]);
  t = Date.now();
  const second = await run(ava, ['--serial', '--timeout=10m', 'test/k8s/disruption.test.ts'], env);
  timings.push(['tests: pod deletion and rolling restart under load', secs(t)]);
  code = first || second;
} catch (err) {
  say(`\x1b[31merror: ${(err as Error).message}\x1b[0m`);
  code = 1;
} finally {
  const downCode = await down();
  code ||= downCode;
}
say('timings:');
for (const [what, time] of timings) say(`  ${what.padEnd(56)} ${time}`);
say(`whole run ${secs(started)}: ${code === 0 ? 'k8s test passed' : 'k8s test FAILED'}`);
process.exit(code);
