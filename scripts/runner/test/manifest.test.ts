import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { readManifest } from '../app-manifest.js';
import { renderResources } from '../resources.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('dapr.yaml lists the four apps with distinct ports', async (t) => {
  const m = await readManifest(root);
  t.deepEqual(m.apps.map((a) => a.appId), ['gateway', 'auth', 'blog', 'user']);
  const ports = m.apps.flatMap((a) => [a.appPort, a.daprHttpPort, a.daprGrpcPort]);
  t.is(new Set(ports).size, ports.length);
  t.is(m.apps[0]!.appPort, 8080);
  t.deepEqual(m.apps.filter((a) => a.database).map((a) => a.appId), ['auth', 'blog', 'user']);
  t.deepEqual(m.apps.map((a) => path.basename(a.configFile)), ['gateway.yaml', 'auth.yaml', 'blog.yaml', 'user.yaml']);
});

test('a manifest without required fields is refused with the app named', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'manifest-'));
  await writeFile(path.join(dir, 'dapr.yaml'), 'version: 1\napps:\n  - appID: x\n');
  await t.throwsAsync(readManifest(dir), { message: /apps\[0\].*appPort/ });
});

test('resources are rendered per stack: secrets file, Redis DB and name-resolution file', async (t) => {
  const m = await readManifest(root);
  const out = await mkdtemp(path.join(os.tmpdir(), 'render-'));
  const r = await renderResources(m, out, { secretsFile: '/abs/secrets.json', redisDB: 7, redisHost: '127.0.0.1:6399', nameResolutionDb: '/abs/nr.db', smtp: { host: '127.0.0.1', port: 2525 } });
  const secret = parse(await readFile(path.join(r.resourcesPath, 'secretstore.yaml'), 'utf8'));
  t.like(secret.spec.metadata.find((i: { name: string }) => i.name === 'secretsFile'), { value: '/abs/secrets.json' });
  const pubsub = parse(await readFile(path.join(r.resourcesPath, 'pubsub.yaml'), 'utf8'));
  t.like(pubsub.spec.metadata.find((i: { name: string }) => i.name === 'redisDB'), { value: '7' });
  t.like(pubsub.spec.metadata.find((i: { name: string }) => i.name === 'redisHost'), { value: '127.0.0.1:6399' });
  t.like(pubsub.spec.metadata.find((i: { name: string }) => i.name === 'redisPassword'), { secretKeyRef: { name: 'redis-pubsub-password' } });
  const email = parse(await readFile(path.join(r.resourcesPath, 'email.yaml'), 'utf8'));
  t.like(email.spec.metadata.find((i: { name: string }) => i.name === 'port'), { value: '2525' });
  const config = parse(await readFile(path.join(r.configDir, 'blog.yaml'), 'utf8'));
  t.is(config.spec.nameResolution.component, 'sqlite');
  t.is(config.spec.nameResolution.configuration.connectionString, '/abs/nr.db');
});
