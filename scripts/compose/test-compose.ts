/**
 * `npm run test:compose`: the docker-compose deployment, for real. Builds the images (cached, `npm run images`),
 * starts docker-compose.yml under a project name of its own on free loopback ports with secrets of its own, runs
 * the RealWorld flow and the event flow through the published gateway, then injects faults while a writer keeps
 * creating articles (each with an Idempotency-Key, retried until it succeeds):
 *
 *   restart and kill -9 of each app (back within RECOVERY_BOUND_S) · restart of daprd containers · Redis
 *   restarted and paused (the outbox drains afterwards) · Postgres stopped and started (/readyz shows it; the
 *   services recover without being restarted)
 *
 * and checks that no event is lost or duplicated (a follower has exactly one notification per article, the blog
 * has exactly one article per key) and that errors stay within a bounded window. It always tears down
 * (`docker-compose down -v`). Exit code 0 only when every check passed; KEEP_STACK=1 leaves it running.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeComposeSecrets } from '../../deploy/secrets/generate-secrets.js';
import { composeBin, docker, ensureEngine } from '../images/docker.js';
import { gatewayApi, PASSWORD, register as registerThrough, until, Writer } from '../../test/support/deployment-client.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const APPS = ['gateway', 'auth', 'blog', 'user'] as const;
const RECOVERY_BOUND_S = Number(process.env.RECOVERY_BOUND_S ?? 10);
const ERROR_WINDOW_BOUND_S = Number(process.env.ERROR_WINDOW_BOUND_S ?? 30);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s`;
const say = (text: string) => process.stdout.write(`\x1b[34m[compose-test]\x1b[0m ${elapsed()} ${text}\n`);
const failures: string[] = [];
const check = (ok: unknown, what: string) => {
  if (ok) say(`  ✔ ${what}`);
  else {
    failures.push(what);
    say(`  \x1b[31m✘ ${what}\x1b[0m`);
  }
  return Boolean(ok);
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

// ---------------------------------------------------------------------------------------------- the stack
const project = `vcdtest${process.pid}`;
const secretsDir = await mkdtemp(path.join(os.tmpdir(), 'vcd-compose-test-'));
const gatewayPort = await freePort();
const maildevPort = await freePort();
const composeEnv = {
  ...process.env,
  COMPOSE_PROJECT_NAME: project,
  VCD_COMPOSE_SECRETS_DIR: secretsDir,
  GATEWAY_PUBLISH_ADDRESS: '127.0.0.1',
  GATEWAY_PUBLISH_PORT: String(gatewayPort),
  MAILDEV_PUBLISH_PORT: String(maildevPort),
  // Clients reach the gateway through Docker's proxy (the network's gateway address); believe its
  // X-Forwarded-For, so each simulated client has a budget of its own (docs/deploy.md, "Client addresses").
  GATEWAY_TRUSTED_PROXIES: '172.16.0.0/12,192.168.0.0/16',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  DOCKER_BUILDKIT: '0',
  PATH: `/usr/bin:${process.env.PATH}`,
};
const composeArgs = ['-p', project, '--project-directory', root, '-f', path.join(root, 'docker-compose.yml'), '--env-file', path.join(secretsDir, 'compose.env')];
function compose(args: string[], opts: { quiet?: boolean } = {}): string {
  const r = spawnSync(composeBin, [...composeArgs, ...args], { cwd: root, env: composeEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`docker-compose ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-20).join('\n')}`);
  if (!opts.quiet && r.stderr.trim()) for (const l of r.stderr.trim().split('\n').slice(-3)) say(`  ${l}`);
  return r.stdout;
}
/** A service's container (by compose's labels; restarts keep the id, so it is looked up once). */
const containers = new Map<string, string>();
const containerOf = (service: string) => {
  let id = containers.get(service);
  if (id) return id;
  id = docker(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`]).trim().split('\n')[0];
  if (!id) throw new Error(`no container for ${service}`);
  containers.set(service, id);
  return id;
};
const inspect = (id: string) =>
  JSON.parse(docker(['inspect', id]))[0] as { State: { Pid: number; StartedAt: string; Running: boolean }; RestartCount: number; HostConfig: { NetworkMode: string } };

let tornDown = false;
async function teardown() {
  if (tornDown) return;
  tornDown = true;
  if (process.env.KEEP_STACK === '1') {
    say(`KEEP_STACK=1: the stack stays up (docker-compose ${composeArgs.join(' ')} down -v)`);
    return;
  }
  say('tearing down (docker-compose down -v)');
  try {
    compose(['down', '-v', '--remove-orphans', '-t', '5'], { quiet: true });
  } catch (err) {
    say(`teardown: ${(err as Error).message}`);
  }
  await rm(secretsDir, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void teardown().then(() => process.exit(130)));
}

// ---------------------------------------------------------------------------------------------- HTTP client
const gateway = `http://127.0.0.1:${gatewayPort}`;
const api = gatewayApi(gateway);
const ready = async () => (await api('GET', '/readyz', { timeoutMs: 5000 })).status === 200;

const register = (prefix: string) => registerThrough(api, prefix);

// ---------------------------------------------------------------------------------------------- the writer
/**
 * Runs one fault with the writer going, then checks recovery time and the window of errors. Recovery is timed
 * from the moment the fault is over: the kill, or when the restarted/unpaused/started container runs again
 * (what `inject` returns), so a graceful stop's drain time does not count.
 */
async function fault(name: string, inject: () => Promise<number | void>, opts: { recoveryBoundS?: number } = {}) {
  say(`fault: ${name}`);
  const errorsBefore = writer.errors.length;
  writer.start(name);
  await sleep(1000);
  const injected = Date.now();
  const t0 = (await inject()) ?? injected;
  const back = await until(`${name}: the gateway ready again`, async () => (await ready()) && Date.now(), 120_000, 200);
  const recovery = (back - t0) / 1000;
  // A write right after recovery goes through.
  await writer.createOne(`${name} after`);
  await writer.stop();
  const errors = writer.errors.slice(errorsBefore);
  const window = errors.length ? (errors.at(-1)!.at - errors[0]!.at) / 1000 : 0;
  const bound = opts.recoveryBoundS ?? RECOVERY_BOUND_S;
  check(recovery <= bound, `${name}: ready again after ${recovery.toFixed(1)} s (bound ${bound} s)`);
  check(window <= ERROR_WINDOW_BOUND_S, `${name}: ${errors.length} failed attempts within ${window.toFixed(1)} s${errors.length ? ` (statuses ${[...new Set(errors.map((e) => e.status))].join(',')})` : ''}`);
  timings.push({ name, recovery, errors: errors.length, window });
}
const timings: { name: string; recovery: number; errors: number; window: number }[] = [];
let writer: Writer;

// ---------------------------------------------------------------------------------------------- the run
let exitCode = 1;
try {
  await ensureEngine(say);
  say('images (npm run images; cached after the first run)');
  const images = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/images/build-images.ts')], { cwd: root, stdio: 'inherit', env: process.env });
  if (images.status !== 0) throw new Error('npm run images failed');

  await writeComposeSecrets(secretsDir);
  say(`starting project ${project}: gateway on ${gateway}, MailDev on http://127.0.0.1:${maildevPort}`);
  const upStarted = Date.now();
  compose(['up', '-d', '--no-build']);
  await until('the gateway ready', ready, 240_000, 500);
  const upSeconds = (Date.now() - upStarted) / 1000;
  say(`stack ready in ${upSeconds.toFixed(0)} s`);

  // The namespace holders: every app and its sidecar share their holder's network namespace.
  for (const app of APPS) {
    const holder = containerOf(`${app}-netns`);
    check(
      inspect(containerOf(app)).HostConfig.NetworkMode === `container:${holder}` && inspect(containerOf(`${app}-dapr`)).HostConfig.NetworkMode === `container:${holder}`,
      `${app} and ${app}-dapr join ${app}-netns's network namespace`,
    );
  }

  // The idle compaction hands malloc's free memory back through koffi (ADR 20, sixth addendum): inside the images too,
  // where npm installed it with --ignore-scripts, from its prebuilt optional package.
  for (const app of APPS) {
    let answer: string;
    try {
      answer = docker(['exec', containerOf(app), 'node', '-e', "process.stdout.write(String(require('koffi').load('libc.so.6').func('int malloc_trim(size_t pad)')(0)))"]).trim();
    } catch (err) {
      answer = (err as Error).message.split('\n').slice(-2).join(' ').slice(0, 200);
    }
    check(answer === '0' || answer === '1', `${app}: malloc_trim is reachable through koffi in its image (returned ${answer})`);
  }

  // RealWorld flow through the published gateway.
  say('RealWorld flow');
  const [alice, bob] = [await register('alice'), await register('bob')];
  const me = await api('GET', '/api/user', { token: alice.token, ip: alice.ip });
  check(me.body?.user?.username === alice.username, `GET /api/user (${me.status}${me.status === 200 ? '' : ` ${JSON.stringify(me.body).slice(0, 200)}`})`);
  // argon2 on a saturated machine can outlast the gateway's 5 s upstream timeout (504): that is load, try again.
  let login = await api('POST', '/api/users/login', { ip: alice.ip, body: { user: { email: alice.email, password: PASSWORD } } });
  for (let attempt = 1; attempt < 4 && (login.status === 504 || login.status === 0); attempt++) {
    login = await api('POST', '/api/users/login', { ip: alice.ip, body: { user: { email: alice.email, password: PASSWORD } } });
  }
  check(login.status === 200 && login.body.user.token, `login (${login.status}${login.status === 200 ? '' : ` ${JSON.stringify(login.body).slice(0, 200)}`})`);
  await until('bob sees alice\'s profile', async () => (await api('GET', `/api/profiles/${alice.username}`, { ip: bob.ip })).status === 200, 30_000);
  const followed = await api('POST', `/api/profiles/${alice.username}/follow`, { token: bob.token, ip: bob.ip });
  check(followed.status === 200 && followed.body.profile.following === true, 'bob follows alice');
  writer = new Writer(api, alice, { tag: 'compose', pauseMs: 200, onUnexpected: (m) => say(`  ${m}`) });
  const firstSlug = await writer.createOne('Hello compose');
  const got = await api('GET', `/api/articles/${firstSlug}`, { token: bob.token, ip: bob.ip });
  check(got.status === 200 && got.body.article.author.username === alice.username && got.body.article.author.following === true, 'GET /api/articles/:slug with the author card');
  const comment = await api('POST', `/api/articles/${firstSlug}/comments`, { token: bob.token, ip: bob.ip, body: { comment: { body: 'Nice' } } });
  check(comment.status === 200, 'comment');
  const fav = await api('POST', `/api/articles/${firstSlug}/favorite`, { token: bob.token, ip: bob.ip });
  check(fav.status === 200 && fav.body.article.favorited === true && fav.body.article.favoritesCount === 1, 'favorite');
  const feed = await api('GET', '/api/articles/feed', { token: bob.token, ip: bob.ip });
  check(feed.status === 200 && feed.body.articles.some((a: { slug: string }) => a.slug === firstSlug), "bob's feed");
  // Idempotency through the whole path.
  const key = randomUUID();
  const once = { title: `Once ${key.slice(0, 8)}`, description: 'd', body: 'b' };
  const a1 = await api('POST', '/api/articles', { token: alice.token, ip: alice.ip, body: { article: once }, headers: { 'idempotency-key': key } });
  const a2 = await api('POST', '/api/articles', { token: alice.token, ip: alice.ip, body: { article: once }, headers: { 'idempotency-key': key } });
  check(a1.status === 201 && a2.status === 201 && a2.headers.get('idempotent-replayed') === 'true' && a1.body.article.slug === a2.body.article.slug, 'a retried create with its Idempotency-Key answers the same article');
  writer.slugs.set(key, a1.body.article.slug as string);

  // Event flow: post.published → bob's notification; user.registered → verification mail in MailDev.
  say('event flow');
  await until('bob notified of alice\'s article', async () => {
    const n = await api('GET', '/api/user/notifications?limit=100', { token: bob.token, ip: bob.ip });
    return n.status === 200 && n.body.notifications.some((x: { kind: string; article?: { slug: string } }) => x.kind === 'new_post' && x.article?.slug === firstSlug);
  }, 30_000);
  check(true, "bob's notification of alice's article arrived");
  const mail = await until('the verification mail in MailDev', async () => {
    const res = await fetch(`http://127.0.0.1:${maildevPort}/api/email`);
    const mails = (await res.json()) as { to: { address: string }[]; subject: string }[];
    return mails.find((m) => m.to.some((t) => t.address === alice.email));
  }, 30_000);
  check(mail, `a mail to ${alice.email} ("${mail.subject}")`);

  // Per-client budgets behind the published port: one client exhausting the login budget leaves another alone.
  say('client addresses behind the published port');
  let limited = 0;
  for (let i = 0; i < 40 && !limited; i++) {
    const r = await api('POST', '/api/users/login', { ip: '203.0.113.77', body: { user: { email: `nobody${i}@example.test`, password: 'wrong password!' } } });
    if (r.status === 429) limited = i + 1;
  }
  const other = await api('POST', '/api/users/login', { ip: '203.0.113.78', body: { user: { email: 'nobody@example.test', password: 'wrong password!' } } });
  check(limited > 0 && other.status !== 429, `one client limited after ${limited} logins, another client is not (${other.status})`);

  // Faults.
  for (const app of APPS) {
    const sidecarBefore = inspect(containerOf(`${app}-dapr`)).State.StartedAt;
    await fault(`restart ${app}`, async () => {
      docker(['restart', '-t', '10', containerOf(app)]);
      return Date.now();
    });
    await fault(`kill -9 ${app}`, async () => {
      const pid = inspect(containerOf(app)).State.Pid;
      process.kill(pid, 'SIGKILL');
      await until(`${app} restarted by its restart policy`, async () => inspect(containerOf(app)).State.Pid !== pid && inspect(containerOf(app)).State.Running, 30_000, 200);
    });
    check(inspect(containerOf(`${app}-dapr`)).State.StartedAt === sidecarBefore, `${app}-dapr kept running through both (no manual recreate)`);
  }
  for (const app of ['blog', 'user'] as const) {
    await fault(`restart ${app}-dapr`, async () => {
      docker(['restart', '-t', '10', containerOf(`${app}-dapr`)]);
      return Date.now();
    }, { recoveryBoundS: 30 });
  }
  await fault('restart redis', async () => {
    docker(['restart', '-t', '5', containerOf('redis')]);
    return Date.now();
  }, { recoveryBoundS: 30 });
  await fault('pause redis for 10 s', async () => {
    const id = containerOf('redis');
    docker(['pause', id]);
    await sleep(10_000);
    docker(['unpause', id]);
    return Date.now();
  }, { recoveryBoundS: 30 });
  const appsStarted = Object.fromEntries(APPS.map((a) => [a, inspect(containerOf(a)).State.StartedAt]));
  await fault('stop postgres for 5 s, then start it', async () => {
    const id = containerOf('postgres');
    docker(['stop', '-t', '10', id]);
    const during = await until('/readyz to show the outage', async () => {
      const r = await api('GET', '/readyz', { timeoutMs: 10_000 });
      return r.status === 503 && r;
    }, 30_000, 500);
    check(during.status === 503, `/readyz answers 503 during the outage (${JSON.stringify(during.body?.checks ?? {}).slice(0, 160)})`);
    await sleep(5000);
    docker(['start', id]);
    return Date.now();
  }, { recoveryBoundS: 60 });
  check(APPS.every((a) => inspect(containerOf(a)).State.StartedAt === appsStarted[a]), 'the services recovered from the Postgres outage without being restarted');

  // No lost and no duplicated events or articles.
  say('checking events: every article once, every notification once');
  const slugs = [...writer.slugs.values()];
  const count = await api('GET', `/api/articles?author=${alice.username}&limit=1`, { ip: bob.ip });
  check(count.body.articlesCount === slugs.length, `alice has ${count.body.articlesCount} articles for ${slugs.length} keys (no duplicate creates)`);
  let lastRefusal = '';
  const counts = await until('a notification for each article', async () => {
    const seen = new Map<string, number>();
    for (let offset = 0; ; offset += 100) {
      const n = await api('GET', `/api/user/notifications?limit=100&offset=${offset}`, { token: bob.token, ip: bob.ip });
      if (n.status !== 200) {
        lastRefusal = `${n.status} ${JSON.stringify(n.body).slice(0, 200)}`;
        return false;
      }
      for (const x of n.body.notifications as { kind: string; article?: { slug: string } }[]) {
        if (x.kind === 'new_post' && x.article) seen.set(x.article.slug, (seen.get(x.article.slug) ?? 0) + 1);
      }
      if (n.body.notifications.length < 100) break;
    }
    return slugs.every((s) => seen.has(s)) && seen;
  }, 90_000, 1000).catch((err: Error) => {
    check(false, `${err.message}${lastRefusal ? ` (last answer: ${lastRefusal})` : ''}`);
    return new Map<string, number>();
  });
  const missing = slugs.filter((s) => !counts.has(s));
  const doubled = [...counts].filter(([, n]) => n > 1);
  check(missing.length === 0, `no lost event: ${slugs.length - missing.length}/${slugs.length} articles notified${missing.length ? ` (missing ${missing.slice(0, 3).join(', ')})` : ''}`);
  check(doubled.length === 0, `no duplicated event${doubled.length ? `: ${doubled.slice(0, 3).map(([s, n]) => `${s}×${n}`).join(', ')}` : ''}`);

  say('timings (s): fault · ready again · failed attempts · error window');
  for (const t of timings) say(`  ${t.name.padEnd(36)} ${t.recovery.toFixed(1).padStart(5)} ${String(t.errors).padStart(4)} ${t.window.toFixed(1).padStart(6)}`);
  say(`stack up in ${upSeconds.toFixed(0)} s; whole run ${((Date.now() - started) / 1000).toFixed(0)} s`);
  exitCode = failures.length ? 1 : 0;
} catch (err) {
  failures.push((err as Error).message);
  say(`\x1b[31merror: ${(err as Error).message}\x1b[0m`);
} finally {
  if (failures.length) {
    // What the services said, for whoever reads a failed run.
    const logs = spawnSync(composeBin, [...composeArgs, 'logs', '--no-color', '--tail', '40', ...APPS], { cwd: root, env: composeEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    process.stdout.write(`${(logs.stdout ?? '').split('\n').slice(-160).join('\n')}\n`);
  }
  await teardown();
}
say(exitCode === 0 ? 'compose test passed' : `compose test FAILED: ${failures.length} check(s):\n  - ${failures.join('\n  - ')}`);


process.exit(exitCode);
