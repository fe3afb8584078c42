import { readFile } from 'node:fs/promises';
import test from 'ava';
import { parse } from 'yaml';
import { readManifest } from '../../scripts/runner/app-manifest.js';
import { DEV_INTERNAL_GRPC_OFFSET, DEV_SENTRY_PORTS } from '../../scripts/runner/stack.js';
import { DEV_DAPR_METRICS_OFFSET, DEV_OBSERVABILITY_PORTS } from '../../scripts/runner/observability.js';
import { repoRoot } from '../../deploy/validate/manifests.js';

/** The kernel's ephemeral range (the ports outgoing connections take), or Linux's default. */
async function ephemeralRange(): Promise<[number, number]> {
  const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
  const [low, high] = text.trim().split(/\s+/).map(Number);
  return [Math.min(low!, 32768), Math.max(high!, 60999)];
}

test("every development port default lies outside the ephemeral range, so another program's outgoing connection cannot hold it", async (t) => {
  const [low, high] = await ephemeralRange();
  const ports: [string, number][] = [
    ['sentry gRPC', DEV_SENTRY_PORTS.grpc],
    ['sentry healthz', DEV_SENTRY_PORTS.healthz],
  ];
  for (const app of (await readManifest(repoRoot)).apps) {
    ports.push([`${app.appId} app`, app.appPort], [`${app.appId} daprd HTTP`, app.daprHttpPort], [`${app.appId} daprd gRPC`, app.daprGrpcPort]);
    ports.push([`${app.appId} daprd internal gRPC`, app.daprGrpcPort + DEV_INTERNAL_GRPC_OFFSET]);
    ports.push([`${app.appId} metrics`, Number(app.env.METRICS_PORT)], [`${app.appId} daprd metrics`, app.daprHttpPort + DEV_DAPR_METRICS_OFFSET]);
  }
  for (const [name, port] of Object.entries(DEV_OBSERVABILITY_PORTS)) ports.push([name, port]);
  for (const [name, port] of ports) t.false(port >= low && port <= high, `${name}: ${port} is inside ${low}-${high}`);
  const values = ports.map(([, p]) => p);
  t.is(new Set(values).size, values.length, 'no two defaults collide');
});

/** A Go duration as the resolver's configuration takes it ("5s", "1500ms"), in milliseconds. */
const durationMs = (value: unknown, fallback: number) => {
  const m = /^(\d+)(ms|s|m)$/.exec(String(value ?? ''));
  return m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'] : fallback;
};

test("every sidecar's SQLite name resolution stays found when a renewal is late by up to 2 s", async (t) => {
  // components-contrib 1.18 nameresolution/sqlite: a row is found while now - last_update < updateInterval, both in
  // whole seconds (up to 1 s lost to the truncation), and its sidecar renews it every updateInterval - timeout.
  for (const app of (await readManifest(repoRoot)).apps) {
    const config = parse(await readFile(app.configFile, 'utf8')) as { spec: { nameResolution?: { component: string; configuration?: Record<string, unknown> } } };
    const nr = config.spec.nameResolution;
    t.is(nr?.component, 'sqlite', app.appId);
    const updateInterval = durationMs(nr?.configuration?.updateInterval, 5000);
    const timeout = durationMs(nr?.configuration?.timeout, 1000);
    const renewEvery = updateInterval - timeout;
    const slack = updateInterval - renewEvery - 1000;
    t.true(slack >= 2000, `${app.appId}: a renewal may be late by ${slack} ms at most before its app is unknown`);
  }
});
