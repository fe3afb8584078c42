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
import { FollowedAuthors } from '../../services/blog/src/clients/followed-authors.js';
import { blogDatabase } from '../../services/blog/src/db/orm.config.js';
import { PublicPageCache } from '../../services/blog/src/domain/public-page-cache.js';
import type { AuthorProfile, UserDirectory } from '../../services/blog/src/domain/authors.js';
import { parseSigningKey as parseKey, signAccessToken } from '../../services/auth/src/domain/access-token.js';
import { toJwks } from '../../services/auth/src/domain/jwks.js';
import { buildApp as buildGatewayApp } from '../../services/gateway/src/app.js';
import { authKeys } from '../../services/gateway/src/clients/auth-keys.js';
import { loadConfig as loadGatewayConfig } from '../../services/gateway/src/config.js';
import { ServiceDocuments } from '../../services/gateway/src/http/service-documents.js';
import { SessionValidator } from '../../services/gateway/src/http/session-validator.js';
import { componentRedis, secret, serve, throwawayDatabase, type ThrowawayDatabase } from './component.js';
import { FakeDaprd } from './fake-daprd.js';

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
  db?: ThrowawayDatabase;
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
  db: ThrowawayDatabase;
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
  followingCalls = 0;

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
    this.followingCalls++;
    return [...(this.follows.get(userId) ?? [])];
  }
}

export interface BlogApp extends InProcessApp {
  db: ThrowawayDatabase;
  users: FakeUserDirectory;
  /** How many times a committed write woke the relay. */
  wakes: () => number;
  /** The app's public page cache (with `caches`). */
  publicPages?: PublicPageCache;
}

/**
 * The blog app; with `caches`, the public page cache and the follow cache as main.ts wires them (long TTLs, so a
 * test sees what a write or an event drops, not a TTL running out).
 */
export async function startBlog(options: { caches?: boolean } = {}): Promise<BlogApp> {
  const db = await throwawayDatabase('blog', blogDatabase);
  const appApiToken = secret();
  const users = new FakeUserDirectory();
  let wakes = 0;
  const publicPages = options.caches ? new PublicPageCache(60_000) : undefined;
  const app = await failing(db.drop, async () => buildBlogApp({
    orm: db.orm,
    logger,
    appApiToken,
    users,
    publicPages,
    follows: options.caches ? new FollowedAuthors(users, 60_000) : undefined,
    commitHooks: { afterCommit: () => void wakes++ },
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
    publicPages,
    close: async () => {
      await served.close();
      await db.drop();
    },
  };
}

export interface GatewayApp {
  url: string;
  /** Where the gateway's sidecar would be: the downstream apps answer from here (daprd.app(...)). */
  daprd: FakeDaprd;
  /** Sessions auth's ValidateToken calls revoked (the gateway asks over gRPC; answered in memory here). */
  revoked: Set<string>;
  /** The gateway's session validator (revoke sessions as session.revoked would). */
  sessions: SessionValidator;
  /** A session token as auth signs it, for a user (a new session each time unless one is given). */
  tokenFor(user: { userId: string; username: string; role?: 'user' | 'editor' | 'admin'; sessionId?: string }, options?: { expiresAt?: number; ttlSeconds?: number }): Promise<string>;
  /** A public request from a client at `ip` (X-Forwarded-For, believed from loopback here). */
  request(method: string, path: string, options?: { ip?: string; token?: string; body?: unknown; headers?: Record<string, string> }): Promise<CallResult>;
  close(): Promise<void>;
}

/**
 * A client address in IPv6's documentation range, in a /64 of its own (the gateway keys IPv6 clients by their /64),
 * so its rate-limit budgets are shared with no other test.
 */
export const clientAddress = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;

/**
 * The gateway in-process with its real clients (Sidecar, JWKS key set, session validator, service documents,
 * rate limiter on a real Redis) pointed at a fake daprd: `documents` are the OpenAPI documents each service
 * declares (the gateway forwards exactly their routes); other invocations go to handlers the test sets.
 */
export async function startGateway(documents: Record<'auth' | 'blog' | 'user', object>, env: Record<string, string> = {}): Promise<GatewayApp> {
  const daprd = await new FakeDaprd().start();
  const keys = signingKeys();
  const signingKey = parseKey(keys.signingKey);
  const revoked = new Set<string>();
  const usernames = new Map<string, { username: string; role: string }>();
  for (const app of ['auth', 'blog', 'user'] as const) {
    daprd.app(app, (call) => {
      if (call.path === '/openapi.json') return { body: documents[app] };
      if (app === 'auth' && call.path === '/internal/jwks') return { body: toJwks(parsePublicKeys(keys.publicKeys)) };
      if (call.path === '/readyz') return { body: { status: 'ok', caller: 'gateway' } };
      return { status: 404, body: { errors: { route: ['not declared in this fake'] } } };
    });
  }
  const config = loadGatewayConfig({
    APP_PORT: '1',
    APP_API_TOKEN: secret(),
    DAPR_API_TOKEN: daprd.apiToken,
    LOG_LEVEL: 'silent',
    TRUSTED_PROXIES: '127.0.0.1',
    UPSTREAM_TIMEOUT_MS: '2000',
    ...env,
  });
  // ValidateToken and GetProfiles over gRPC through daprd, answered in memory.
  // Answers go through the contract's own encoding, so the gateway sees them as they come off the wire.
  type FakeRpc = { method: string; encodeResponse?: (msg: unknown) => Uint8Array; decodeResponse?: (bytes: Uint8Array) => unknown };
  const wire = (rpc: FakeRpc, answer: unknown) => (rpc.encodeResponse && rpc.decodeResponse ? rpc.decodeResponse(rpc.encodeResponse(answer)) : answer);
  const grpc = {
    call: async (rpc: FakeRpc, request: { sessionId?: string; userId?: string; userIds?: string[] }) => wire(rpc, answerRpc(rpc.method, request)),
  };
  const answerRpc = (method: string, request: { sessionId?: string; userId?: string; userIds?: string[] }) => {
    {
      if (method.endsWith('/ValidateToken')) {
        const known = usernames.get(request.userId ?? '');
        const valid = !!known && !revoked.has(request.sessionId ?? '');
        return { valid, userId: request.userId, username: known?.username ?? '', role: known?.role ?? 'user', reason: valid ? '' : 'revoked', activeUntilMs: Date.now() + 3_600_000 };
      }
      if (method.endsWith('/GetProfiles')) {
        return { profiles: (request.userIds ?? []).filter((id) => usernames.has(id)).map((id) => ({ userId: id, username: usernames.get(id)!.username, bio: '', image: '', following: false })) };
      }
      throw new Error(`the fake gRPC does not serve ${method}`);
    }
  };
  const redis = await componentRedis();
  const sidecar = daprd.sidecar();
  const serviceDocuments = new ServiceDocuments(sidecar, logger);
  const authKeySet = authKeys(sidecar);
  await Promise.all([serviceDocuments.loadAll(), authKeySet.load()]);
  const sessions = new SessionValidator(grpc as never, config.SESSION_CACHE_TTL_MS);
  const app = buildGatewayApp({
    config,
    logger,
    sidecar,
    grpc: grpc as never,
    redis,
    keys: authKeySet,
    sessions,
    documents: serviceDocuments,
  });
  const served = await serve(app);
  const call = caller(served.url, config.APP_API_TOKEN);
  return {
    url: served.url,
    daprd,
    revoked,
    sessions,
    tokenFor: (user, options = {}) => {
      usernames.set(user.userId, { username: user.username, role: user.role ?? 'user' });
      return signAccessToken(
        signingKey,
        { sub: user.userId, sid: user.sessionId ?? randomUUID(), username: user.username, role: user.role ?? 'user' },
        { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: options.ttlSeconds ?? 3600, expiresAt: options.expiresAt },
      );
    },
    request: (method, path, options = {}) =>
      call(method, path, {
        token: null,
        caller: null,
        body: options.body,
        headers: { 'x-forwarded-for': options.ip ?? clientAddress(), ...(options.token ? { authorization: `Token ${options.token}` } : {}), ...options.headers },
      }),
    close: async () => {
      await served.close();
      await sidecar.close();
      redis.disconnect();
      await daprd.stop();
    },
  };
}
