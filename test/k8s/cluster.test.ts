/**
 * The deployment on the real cluster (npm run test:k8s): what the manifests promise once Kubernetes and Dapr's
 * control plane run them — sidecars injected, migrations done, mTLS through sentry, access control and secret
 * scopes enforced by the sidecars.
 */
import test from 'ava';
import { NS, kubectl, kubectlJson, onCluster, podsOf, viaSidecar } from './support.js';

const APPS = ['gateway', 'auth', 'blog', 'user'] as const;
const t_ = onCluster ? test : test.skip;

t_('each app pod runs two containers, the app and the injected daprd (our patched image), both ready', (t) => {
  const overlay = kubectl(['kustomize', 'deploy/k8s/overlays/host-cluster']);
  const daprdImage = /dapr\.io\/sidecar-image: (\S+)/.exec(overlay)?.[1];
  t.truthy(daprdImage);
  for (const app of APPS) {
    const pods = podsOf(app).filter((p) => !p.deleting);
    t.true(pods.length >= 1, `${app} has a pod`);
    for (const pod of pods) {
      t.deepEqual([...pod.containers].sort(), [app, 'daprd'].sort(), `${pod.name}: containers ${pod.containers.join(', ')}`);
      t.true(pod.ready, `${pod.name} is ready`);
      const spec = kubectlJson(['-n', NS, 'get', 'pod', pod.name]);
      const daprd = (spec.spec.containers as { name: string; image: string }[]).find((c) => c.name === 'daprd');
      t.true(daprd?.image.endsWith(daprdImage!), `${pod.name}: daprd image ${daprd?.image}`);
    }
  }
});

t_('every migration Job completed', (t) => {
  const jobs = kubectlJson<{ items: any[] }>(['-n', NS, 'get', 'jobs', '-l', 'app.kubernetes.io/component=migration']); // eslint-disable-line @typescript-eslint/no-explicit-any
  t.deepEqual(jobs.items.map((j) => j.metadata.name as string).sort(), ['auth-migrate', 'blog-migrate', 'user-migrate']);
  for (const job of jobs.items) t.is(job.status.succeeded, 1, `${job.metadata.name}: ${JSON.stringify(job.status.conditions ?? [])}`);
});

t_('sidecars get their identity from Dapr sentry and talk mTLS', (t) => {
  const system = kubectlJson(['-n', 'dapr-system', 'get', 'configurations.dapr.io', 'daprsystem']);
  t.true(system.spec.mtls.enabled, 'daprsystem: mTLS enabled');
  for (const app of APPS) {
    const pod = podsOf(app).find((p) => !p.deleting)!;
    const spec = kubectlJson(['-n', NS, 'get', 'pod', pod.name]);
    const daprd = (spec.spec.containers as { name: string; args?: string[]; env?: { name: string; value?: string }[] }[]).find((c) => c.name === 'daprd')!;
    const env = Object.fromEntries((daprd.env ?? []).map((e) => [e.name, e.value ?? '']));
    const args = (daprd.args ?? []).join(' ');
    t.regex(args, /--sentry-address dapr-sentry\.dapr-system\.svc\S*:443/, `${app}: daprd is pointed at sentry`);
    t.regex(args, /--enable-mtls\b/, `${app}: daprd runs with mTLS`);
    t.true((env.DAPR_TRUST_ANCHORS ?? '').includes('BEGIN CERTIFICATE'), `${app}: daprd trusts the cluster's root`);
    const logs = kubectl(['-n', NS, 'logs', pod.name, '-c', 'daprd']);
    t.regex(logs, /Security is initialized successfully/, `${app}: daprd's security (mTLS) initialized`);
    t.regex(logs, /workload identity expiry watcher; cert expires on/, `${app}: daprd holds a workload certificate from sentry`);
  }
  // sentry signed at least one certificate per app pod (its own metrics, through the apiserver's pod proxy).
  const sentryPod = kubectl(['-n', 'dapr-system', 'get', 'pod', '-l', 'app=dapr-sentry', '-o', 'jsonpath={.items[0].metadata.name}']);
  const metrics = kubectl(['get', '--raw', `/api/v1/namespaces/dapr-system/pods/${sentryPod}:9090/proxy/metrics`]);
  const signed = Number(/^dapr_sentry_cert_sign_success_total (\d+)/m.exec(metrics)?.[1] ?? 0);
  t.true(signed >= APPS.length, `sentry signed ${signed} certificates`);
});

t_('Dapr access control: blog may not call auth\'s public routes, which the gateway may', (t) => {
  const refused = viaSidecar('blog', 'POST', '/v1.0/invoke/auth/method/api/users/login', { user: { email: 'x@example.test', password: 'whatever password' } });
  t.is(refused.status, 403, `blog → auth /api/users/login: ${refused.status} ${refused.body.slice(0, 300)}`);
  t.regex(refused.body, /access control policy has denied access/i);
  // The caller's identity is the SPIFFE id of its mTLS certificate, which sentry issued.
  t.true(refused.body.includes('spiffe://public/ns/vcd/blog'), refused.body.slice(0, 300));
  const ready = viaSidecar('blog', 'GET', '/v1.0/invoke/auth/method/readyz');
  t.is(ready.status, 403, `blog → auth /readyz: ${ready.status}`);
  // The same path from the gateway, which auth's policy allows: the refusal is the policy, not the network.
  const allowed = viaSidecar('gateway', 'GET', '/v1.0/invoke/auth/method/readyz');
  t.is(allowed.status, 200, `gateway → auth /readyz: ${allowed.status} ${allowed.body.slice(0, 200)}`);
});

t_('secret scopes: blog may not read jwt-signing-key, only its own secrets', (t) => {
  const denied = viaSidecar('blog', 'GET', '/v1.0/secrets/secretstore/jwt-signing-key');
  t.is(denied.status, 403, `blog reads jwt-signing-key: ${denied.status} ${denied.body.slice(0, 200)}`);
  t.false(denied.body.includes('privateKeyPem'));
  const own = viaSidecar('blog', 'GET', '/v1.0/secrets/secretstore/blog-database-url');
  t.is(own.status, 200, `blog reads blog-database-url: ${own.status} ${own.body.slice(0, 120)}`);
  t.truthy((JSON.parse(own.body) as Record<string, string>)['blog-database-url']);
});
