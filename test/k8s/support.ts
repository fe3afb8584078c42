/**
 * Helpers of the tests on the real cluster (npm run test:k8s, scripts/k8s/test-k8s.ts): kubectl of the cluster,
 * the gateway's HTTP API through its ClusterIP, polling without fixed sleeps, users, and a writer that keeps
 * creating articles (each with an Idempotency-Key, retried until answered) while a fault happens.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { gatewayApi, PASSWORD, register as registerThrough, until, Writer as DeploymentWriter, type Res, type User } from '../support/deployment-client.js';

export const NS = 'vcd';
const kubectlBin = process.env.K8S_KUBECTL ?? 'kubectl';
export const onCluster = Boolean(process.env.K8S_GATEWAY_URL && process.env.KUBECONFIG);
export const gatewayUrl = process.env.K8S_GATEWAY_URL ?? '';
export const maildevUrl = process.env.K8S_MAILDEV_URL ?? '';

/** kubectl against the test cluster; throws with its stderr when it fails. */
export function kubectl(args: string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const r = spawnSync(kubectlBin, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-5).join('\n')}`);
  return r.stdout;
}
export const kubectlJson = <T = any>(args: string[]): T => JSON.parse(kubectl([...args, '-o', 'json'])) as T; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Runs a script with node inside an app container of a service (the image has node, nothing else to rely on) and
 * returns what it printed. The script sees the container's environment (DAPR_API_TOKEN, DAPR_HTTP_PORT).
 */
export function nodeIn(app: string, script: string): string {
  return execFileSync(kubectlBin, ['-n', NS, 'exec', `deploy/${app}`, '-c', app, '--', 'node', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}
/** Calls the service's own sidecar from inside its app container: `{ status, body }`. */
export function viaSidecar(app: string, method: string, daprPath: string, body?: unknown): { status: number; body: string } {
  const script = `
    const res = await fetch('http://127.0.0.1:' + (process.env.DAPR_HTTP_PORT ?? '3500') + ${JSON.stringify(daprPath)}, {
      method: ${JSON.stringify(method)},
      headers: { 'dapr-api-token': process.env.DAPR_API_TOKEN, 'content-type': 'application/json' },
      body: ${body === undefined ? 'undefined' : JSON.stringify(JSON.stringify(body))},
    });
    process.stdout.write(JSON.stringify({ status: res.status, body: await res.text() }));`;
  return JSON.parse(nodeIn(app, script)) as { status: number; body: string };
}

// The gateway client, users and the writer are the compose test's too (test/support/deployment-client.ts).
export const api = gatewayApi(gatewayUrl);
export const register = (prefix: string) => registerThrough(api, prefix);
export { PASSWORD, until, type Res, type User };
/** The cluster's writer: tagged k8s, a short pause between creations. */
export class Writer extends DeploymentWriter {
  constructor(author: User) {
    super(api, author, { tag: 'k8s', pauseMs: 150 });
  }
}

/** Every `new_post` notification of a reader, counted per article slug. */
export async function notificationsBySlug(reader: User): Promise<Map<string, number> | false> {
  const seen = new Map<string, number>();
  for (let offset = 0; ; offset += 100) {
    const n = await api('GET', `/api/user/notifications?limit=100&offset=${offset}`, { token: reader.token, ip: reader.ip });
    if (n.status !== 200) return false;
    for (const x of n.body.notifications as { kind: string; article?: { slug: string } }[]) {
      if (x.kind === 'new_post' && x.article) seen.set(x.article.slug, (seen.get(x.article.slug) ?? 0) + 1);
    }
    if (n.body.notifications.length < 100) return seen;
  }
}

/** Pods of an app in the namespace (name, ready containers, container names). */
export function podsOf(app: string): { name: string; containers: string[]; ready: boolean; deleting: boolean }[] {
  const list = kubectlJson<{ items: any[] }>(['-n', NS, 'get', 'pods', '-l', `app.kubernetes.io/name=${app}`]); // eslint-disable-line @typescript-eslint/no-explicit-any
  return list.items.map((p) => ({
    name: p.metadata.name as string,
    containers: (p.spec.containers as { name: string }[]).map((c) => c.name),
    ready: ((p.status.containerStatuses ?? []) as { ready: boolean }[]).every((c) => c.ready) && (p.status.containerStatuses ?? []).length > 0,
    deleting: Boolean(p.metadata.deletionTimestamp),
  }));
}
