/**
 * Each service's `buildApp` in-process for component tests: a migrated database of its own
 * (test/support/component.ts), fakes for everything its sidecar would carry (other services, publishing), listening
 * on a free loopback port. A request reaches it as daprd would deliver it: with the app API token, the caller's
 * app id, and (from the gateway) the caller's identity headers.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createLogger } from '@vcd/logging';
import { identityToHeaders, type Identity } from '@vcd/http';
import { buildApp as buildAuthApp } from '../../services/auth/src/app.js';
import { loadConfig as loadAuthConfig } from '../../services/auth/src/config.js';
import { authDatabase } from '../../services/auth/src/db/orm.config.js';
import { parseSigningKey } from '../../services/auth/src/domain/access-token.js';
import { parsePublicKeys } from '../../services/auth/src/domain/jwks.js';
import { buildApp as buildBlogApp } from '../../services/blog/src/app.js';
import { blogDatabase } from '../../services/blog/src/db/orm.config.js';
import type { AuthorProfile, UserDirectory } from '../../services/blog/src/domain/authors.js';
import { componentRedis, secret, serve, throwawayDatabase, type ThrowawayDatabase } from './component.js';

const logger = createLogger('component-test', { level: 'silent' });

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** The caller's app id (daprd's dapr-caller-app-id); default the gateway. `null` sends none. */
  caller?: string | null;
  /** The user the gateway authenticated (identity headers). */
  as?: Identity;
  /** The app API token to present; default the right one. `null` sends none. */
  token?: string | null;
}

export interface CallResult<T = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  status: number;
  headers: Headers;
  body: T;
}

export interface InProcessApp {
  url: string;
  db: ThrowawayDatabase;
  appApiToken: string;
  /** A request as daprd delivers it (see CallOptions). */
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<CallResult<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

function caller(url: string, appApiToken: string): InProcessApp['call'] {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = {
      ...(options.token === null ? {} : { 'dapr-api-token': options.token ?? appApiToken }),
      ...(options.caller === null ? {} : { 'dapr-caller-app-id': options.caller ?? 'gateway' }),
      ...(options.as ? identityToHeaders(options.as) : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    };
    const res = await fetch(`${url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body: body as never };
  };
}

/** Runs `fn`; if it throws, runs `cleanUp` (what was already started: a database, a connection) and rethrows. */
async function failing<T>(cleanUp: () => Promise<void>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/** A fresh ES256 key pair in the secrets' format (jwt-signing-key, jwt-public-keys). */
export function signingKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `k-${randomBytes(6).toString('hex')}`;
  return {
    kid,
    signingKey: JSON.stringify({ kid, alg: 'ES256', privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() }),
    publicKeys: JSON.stringify([{ kid, alg: 'ES256', publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() }]),
  };
}

export interface AuthApp extends InProcessApp {
  /** Every unit of work that committed, with the ids of its urgent events (what main.ts publishes at once). */
  commits: string[][];
  /** The user service's synchronous profile creation, as auth asked it. */
  profilesCreated: { userId: string; username: string }[];
}

/** The auth service in-process: its database, a real Redis for its throttles, fakes for profile creation and the relays. */
export async function startAuth(env: Record<string, string> = {}): Promise<AuthApp> {
  const appApiToken = secret();
  const keys = signingKeys();
  // APP_PORT is main.ts's business (the app is served on a free port here).
  const config = loadAuthConfig({ APP_PORT: '1', APP_API_TOKEN: appApiToken, DAPR_API_TOKEN: secret(), LOG_LEVEL: 'silent', ...env });
  const db = await throwawayDatabase('auth', authDatabase);
  const redis = await componentRedis('redis-url').catch(async (err: Error) => {
    await db.drop();
    throw err;
  });
  const commits: string[][] = [];
  const profilesCreated: { userId: string; username: string }[] = [];
  const cleanUp = async () => {
    redis.disconnect();
    await db.drop();
  };
  const app = await failing(cleanUp, async () => buildAuthApp({
    orm: db.orm,
    logger,
    config,
    signingKey: parseSigningKey(keys.signingKey),
    publicKeys: parsePublicKeys(keys.publicKeys),
    redis,
    commitHooks: { afterCommit: (urgent) => void commits.push(urgent) },
    createProfile: async (user) => {
      profilesCreated.push(user);
      return true;
    },
  }));
  const served = await failing(cleanUp, () => serve(app));
  return {
    url: served.url,
    db,
    appApiToken,
    call: caller(served.url, appApiToken),
    commits,
    profilesCreated,
    close: async () => {
      await served.close();
      await cleanUp();
    },
  };
}

/** The user service's directory as blog sees it over gRPC, in memory: profiles by id, and who follows whom. */
export class FakeUserDirectory implements UserDirectory {
  readonly people = new Map<string, AuthorProfile & { userId: string }>();
  readonly follows = new Map<string, Set<string>>();
  calls = 0;

  /** A user the directory knows; returns its identity as the gateway would pass it. */
  add(username: string, role: Identity['role'] = 'user'): Identity {
    const userId = randomUUID();
    this.people.set(userId, { userId, username, bio: null, image: null, following: false });
    return { userId, username, role, sessionId: randomUUID() };
  }

  async profiles(request: { userIds: string[]; usernames?: string[]; viewerId?: string }) {
    this.calls++;
    const out = new Map<string, AuthorProfile & { userId: string }>();
    for (const p of this.people.values()) {
      if (!request.userIds.includes(p.userId) && !request.usernames?.includes(p.username)) continue;
      out.set(p.userId, { ...p, following: !!request.viewerId && !!this.follows.get(request.viewerId)?.has(p.userId) });
    }
    return out;
  }

  async following(userId: string) {
    return [...(this.follows.get(userId) ?? [])];
  }
}

export interface BlogApp extends InProcessApp {
  users: FakeUserDirectory;
  /** How many times a committed write woke the relay. */
  wakes: () => number;
}

/** The blog service in-process: its database, an in-memory user directory where the user service's gRPC would be. */
export async function startBlog(): Promise<BlogApp> {
  const db = await throwawayDatabase('blog', blogDatabase);
  const appApiToken = secret();
  const users = new FakeUserDirectory();
  let wakes = 0;
  const app = await failing(db.drop, async () => buildBlogApp({
    orm: db.orm,
    logger,
    appApiToken,
    users,
    afterCommit: () => void wakes++,
    feeds: { publicBaseUrl: 'http://blog.test', title: 'Component test' },
  }));
  const served = await failing(db.drop, () => serve(app));
  return {
    url: served.url,
    db,
    appApiToken,
    call: caller(served.url, appApiToken),
    users,
    wakes: () => wakes,
    close: async () => {
      await served.close();
      await db.drop();
    },
  };
}
