import test from 'ava';
import fc from 'fast-check';
import type { Context } from 'koa';
import { AppError } from '@vcd/errors';
import {
  assertAuthorized,
  IDENTITY_HEADERS,
  identityFromHeaders,
  identityOf,
  identityToHeaders,
  requireIdentity,
  ROLE_RANK,
  type Identity,
  type Role,
  type RouteAuth,
} from '../src/index.js';

/**
 * identity.ts: the caller as the gateway authenticated it, carried to services in x-auth-* headers, and the check
 * of a route's declared auth against it. What it promises: the headers carry an identity unchanged; no user id
 * means no identity; a role the service does not know counts as the least one (never as more); a route's auth is
 * 401 without an identity, 403 below its role, and internal routes need a calling service.
 */

const ROLES: Role[] = ['user', 'editor', 'admin'];
const AUTHS: RouteAuth[] = ['public', 'optional', 'user', 'editor', 'admin', 'internal'];
/** Role strings that are not roles, among them keys every plain object "has". */
const NOT_ROLES = ['', 'ADMIN', 'Admin', ' admin', 'admin ', 'admin\u0000', 'editor,admin', 'superuser', 'root', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

/** Koa's ctx.get: header names in any case, '' for an absent header. */
const getter = (headers: Record<string, string>) => {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return (name: string) => lower.get(name.toLowerCase()) ?? '';
};

const who = (role: Role): Identity => ({ userId: `id-${role}`, username: role, role, sessionId: `s-${role}` });

test('the identity headers are four distinct lower-case x-auth-* names, and identityToHeaders sets exactly them', (t) => {
  const names = Object.values(IDENTITY_HEADERS);
  t.is(new Set(names).size, 4);
  for (const name of names) t.regex(name, /^x-auth-[a-z-]+$/);
  t.deepEqual(Object.keys(identityToHeaders(who('editor'))).sort(), [...names].sort());
  t.deepEqual(identityToHeaders(who('editor')), {
    'x-auth-user-id': 'id-editor',
    'x-auth-username': 'editor',
    'x-auth-role': 'editor',
    'x-auth-session-id': 's-editor',
  });
});

test('an identity survives the trip through headers unchanged, whatever its ids and name (property)', (t) => {
  const identity = fc.record({
    userId: fc.string({ minLength: 1, maxLength: 40 }),
    username: fc.string({ maxLength: 40 }),
    role: fc.constantFrom(...ROLES),
    sessionId: fc.string({ maxLength: 40 }),
  });
  fc.assert(
    fc.property(identity, (id) => {
      t.deepEqual(identityFromHeaders(getter(identityToHeaders(id))), id);
    }),
    { numRuns: 300 },
  );
});

test('no user id (absent or empty) means no identity, whatever else was sent', (t) => {
  t.is(identityFromHeaders(getter({})), undefined);
  fc.assert(
    fc.property(fc.string(), fc.constantFrom(...ROLES, ...NOT_ROLES), fc.string(), fc.boolean(), (username, role, sessionId, emptyId) => {
      const headers: Record<string, string> = { 'x-auth-username': username, 'x-auth-role': role, 'x-auth-session-id': sessionId };
      if (emptyId) headers['x-auth-user-id'] = '';
      t.is(identityFromHeaders(getter(headers)), undefined);
    }),
  );
});

test('the three roles are read as sent; header names are matched in any case', (t) => {
  for (const role of ROLES) t.is(identityFromHeaders(getter({ 'X-Auth-User-Id': 'u', 'X-AUTH-ROLE': role }))?.role, role);
  t.deepEqual(identityFromHeaders(getter({ 'x-auth-user-id': 'u' })), { userId: 'u', username: '', role: 'user', sessionId: '' }, 'no role is user');
});

test('a role that is not one of the three (other case, padding, Object.prototype keys) is read as user', (t) => {
  for (const role of NOT_ROLES) {
    const identity = identityFromHeaders(getter({ 'x-auth-user-id': 'u', 'x-auth-role': role }));
    t.is(identity?.role, 'user', JSON.stringify(role));
    t.is(t.throws(() => assertAuthorized('editor', identity, 'gateway'), { instanceOf: AppError })?.status, 403, `${JSON.stringify(role)} is no editor`);
    t.throws(() => assertAuthorized('admin', identity, 'gateway'), { instanceOf: AppError }, `${JSON.stringify(role)} is no admin`);
    t.notThrows(() => assertAuthorized('user', identity, 'gateway'));
  }
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }).filter((s) => !(ROLES as string[]).includes(s)), (role) => {
      t.is(identityFromHeaders(getter({ 'x-auth-user-id': 'u', 'x-auth-role': role }))?.role, 'user', JSON.stringify(role));
    }),
    { numRuns: 500 },
  );
});

test('roles rank user < editor < admin', (t) => {
  t.true(ROLE_RANK.user < ROLE_RANK.editor && ROLE_RANK.editor < ROLE_RANK.admin);
  t.deepEqual(Object.keys(ROLE_RANK).sort(), [...ROLES].sort());
});

/** What assertAuthorized must decide for each route auth, caller identity and calling app. */
const expected = (auth: RouteAuth, role: Role | undefined, caller: string | undefined): { status: number; code: string } | 'ok' => {
  if (auth === 'internal') return caller ? 'ok' : { status: 403, code: 'INTERNAL_ONLY' };
  if (auth === 'public' || auth === 'optional') return 'ok';
  if (!role) return { status: 401, code: 'UNAUTHORIZED' };
  return ROLE_RANK[role] >= ROLE_RANK[auth] ? 'ok' : { status: 403, code: 'INSUFFICIENT_ROLE' };
};

test('every route auth against every caller: 401 without identity, 403 below the role, internal needs a calling app', (t) => {
  for (const auth of AUTHS) {
    for (const role of [undefined, ...ROLES]) {
      for (const caller of [undefined, 'gateway', 'blog']) {
        const label = `${auth} / ${role ?? 'anonymous'} / ${caller ?? 'no caller'}`;
        const want = expected(auth, role, caller);
        const call = () => assertAuthorized(auth, role ? who(role) : undefined, caller);
        if (want === 'ok') {
          t.notThrows(call, label);
          continue;
        }
        const error = t.throws(call, { instanceOf: AppError }, label);
        t.is(error?.status, want.status, label);
        t.is(error?.code, want.code, label);
        if (want.code === 'INSUFFICIENT_ROLE') t.deepEqual(error?.subject, { subject: 'role', reason: `must be ${auth} or higher` }, label);
        if (want.code === 'UNAUTHORIZED') t.is(error?.subject?.subject, 'token', label);
      }
    }
  }
});

test('an identity built elsewhere with a role no service knows is treated as user, never as more', (t) => {
  for (const role of NOT_ROLES) {
    const odd = { ...who('user'), role: role as Role };
    t.notThrows(() => assertAuthorized('user', odd, 'gateway'), JSON.stringify(role));
    for (const auth of ['editor', 'admin'] as const) {
      const error = t.throws(() => assertAuthorized(auth, odd, 'gateway'), { instanceOf: AppError }, `${JSON.stringify(role)} as ${auth}`);
      t.is(error?.code, 'INSUFFICIENT_ROLE');
    }
  }
});

test('identityOf reads ctx.state.identity; requireIdentity throws 401 without one', (t) => {
  const ctx = (identity?: Identity) => ({ state: identity ? { identity } : {} }) as unknown as Context;
  t.is(identityOf(ctx()), undefined);
  t.deepEqual(identityOf(ctx(who('admin'))), who('admin'));
  t.deepEqual(requireIdentity(ctx(who('user'))), who('user'));
  const error = t.throws(() => requireIdentity(ctx()), { instanceOf: AppError });
  t.is(error?.status, 401);
  t.is(error?.code, 'UNAUTHORIZED');
});
