import test from 'ava';
import type { DaprGrpcInvoker } from '@vcd/contracts';
import { SessionValidator } from '../src/http/session-validator.js';

/** Auth's answers as a table: session id → its owner and role (a unit test of the cache, not of auth). */
function fakeAuth(sessions: Record<string, { userId: string; role: string }>) {
  const calls: string[] = [];
  const grpc = {
    call: async (_rpc: unknown, req: { sessionId: string; userId: string }) => {
      calls.push(`${req.sessionId}/${req.userId}`);
      const s = sessions[req.sessionId];
      return { valid: !!s && s.userId === req.userId, userId: s?.userId ?? '', username: 'x', role: s?.role ?? '', reason: '' };
    },
  } as unknown as DaprGrpcInvoker;
  return { grpc, calls };
}

test('a token naming a cached session with another subject is refused and does not poison the owner entry', async (t) => {
  const auth = fakeAuth({ s1: { userId: 'alice', role: 'user' } });
  const v = new SessionValidator(auth.grpc, 60_000);
  t.true((await v.check('s1', 'alice')).valid);
  t.false((await v.check('s1', 'mallory')).valid);
  t.false((await v.check('s1', 'mallory')).valid);
  t.true((await v.check('s1', 'alice')).valid);
  t.deepEqual(auth.calls, ['s1/alice', 's1/mallory', 's1/mallory']); // the owner is still served from the cache
});

test('a revoked session is refused at once; a role change is asked again', async (t) => {
  const sessions: Record<string, { userId: string; role: string }> = { s1: { userId: 'alice', role: 'user' } };
  const auth = fakeAuth(sessions);
  const v = new SessionValidator(auth.grpc, 60_000);
  t.is((await v.check('s1', 'alice')).role, 'user');
  sessions.s1!.role = 'editor';
  v.forgetUser('alice');
  t.is((await v.check('s1', 'alice')).role, 'editor');
  await new Promise((r) => setTimeout(r, 5));
  t.is((await v.check('s1', 'alice')).role, 'editor'); // cached again
  const before = auth.calls.length;
  v.revoke(['s1']); // the event arrives before auth's own answer would change: the cache alone refuses
  t.false((await v.check('s1', 'alice')).valid);
  t.is(auth.calls.length, before);
});

test('an answer that was in flight when the session was revoked is not cached', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const grpc = {
    call: async () => {
      await gate;
      return { valid: true, userId: 'alice', username: 'a', role: 'user', reason: '' };
    },
  } as unknown as DaprGrpcInvoker;
  const v = new SessionValidator(grpc, 60_000);
  const pending = v.check('s1', 'alice');
  v.revoke(['s1']);
  release();
  t.true((await pending).valid); // the in-flight answer itself
  let asked = 0;
  (grpc as unknown as { call: () => Promise<unknown> }).call = async () => {
    asked++;
    return { valid: false, userId: '', username: '', role: '', reason: 'revoked' };
  };
  t.false((await v.check('s1', 'alice')).valid);
  t.is(asked, 1);
});

test('an answer is reused for at most half the time the session has left, so an active session is asked about (and slides) before it idles out', async (t) => {
  let activeUntilMs = Date.now() + 400;
  let calls = 0;
  const grpc = {
    call: async (_rpc: unknown, req: { sessionId: string; userId: string }) => {
      calls++;
      return { valid: true, userId: req.userId, username: 'x', role: 'user', reason: '', activeUntilMs: BigInt(activeUntilMs) };
    },
  } as unknown as DaprGrpcInvoker;
  const v = new SessionValidator(grpc, 60_000);
  t.true((await v.check('s1', 'alice')).valid);
  t.true((await v.check('s1', 'alice')).valid);
  t.is(calls, 1, 'reused while well before the deadline');
  await new Promise((r) => setTimeout(r, 250));
  t.true((await v.check('s1', 'alice')).valid);
  t.is(calls, 2, 'asked again after half of the 400 ms left');
  activeUntilMs = Date.now() + 3_600_000;
  await new Promise((r) => setTimeout(r, 250));
  await v.check('s1', 'alice');
  await v.check('s1', 'alice');
  t.is(calls, 3, 'a far deadline: the TTL rules again');
  activeUntilMs = Date.now() - 1;
  t.true((await v.check('s2', 'bob')).valid);
  await v.check('s2', 'bob');
  t.is(calls, 5, 'an answer with no time left is not cached at all');
});

test('the cache holds at most its number of sessions: the least recently used goes first, and role changes still reach the ones kept', async (t) => {
  const sessions: Record<string, { userId: string; role: string }> = {
    s1: { userId: 'alice', role: 'user' },
    s2: { userId: 'alice', role: 'user' },
    s3: { userId: 'bob', role: 'user' },
  };
  const auth = fakeAuth(sessions);
  const v = new SessionValidator(auth.grpc, 60_000, 2);
  await v.check('s1', 'alice');
  await v.check('s2', 'alice');
  await v.check('s1', 'alice'); // s1 is now the most recently used
  await v.check('s3', 'bob'); // evicts s2
  const before = auth.calls.length;
  await v.check('s1', 'alice');
  t.is(auth.calls.length, before, 's1 was kept');
  await v.check('s2', 'alice');
  t.is(auth.calls.length, before + 1, 's2 was evicted and is asked about again');
  sessions.s1!.role = 'admin';
  v.forgetUser('alice');
  t.is((await v.check('s1', 'alice')).role, 'admin');
});
