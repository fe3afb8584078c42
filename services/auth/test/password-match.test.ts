import test from 'ava';
import { MAX_CLAIMS_PER_ADDRESS, matchPassword } from '../src/domain/password-match.js';

type Account = { id: string; passwordHash: string };
const account = (id: string): Account => ({ id, passwordHash: `hash-of-${id}` });

/** A verifier that records what it was asked; `hash-of-X` matches the password X, no hash (the dummy) never matches. */
function recordingVerifier() {
  const calls: (string | undefined)[] = [];
  const verify = async (hash: string | undefined, password: string) => {
    calls.push(hash);
    return hash === `hash-of-${password}`;
  };
  return { calls, verify };
}

test('an unknown address still costs a full verification against the dummy hash, as many as any wrong password', async (t) => {
  const { calls, verify } = recordingVerifier();
  t.is(await matchPassword<Account>({ owner: null, claims: [] }, 'guess', verify), undefined);
  t.deepEqual(calls, Array(1 + MAX_CLAIMS_PER_ADDRESS).fill(undefined), 'only dummy verifications');
});

test('a wrong password costs the same number of verifications whether the address has an owner, claimants, both or nothing', async (t) => {
  const counts: number[] = [];
  for (const candidates of [
    { owner: null, claims: [] },
    { owner: account('owner'), claims: [] },
    { owner: null, claims: [account('claim1')] },
    { owner: account('owner'), claims: [account('claim1'), account('claim2'), account('claim3')] },
  ]) {
    const { calls, verify } = recordingVerifier();
    t.is(await matchPassword<Account>(candidates, 'wrong', verify), undefined);
    counts.push(calls.length);
  }
  t.deepEqual(counts, Array(4).fill(1 + MAX_CLAIMS_PER_ADDRESS));
});

test('the owner is tried first, then the newest claimant; the right password returns its own account', async (t) => {
  const owner = account('owner');
  const claims = [account('newest'), account('older')]; // as the repository lists them: newest first
  const first = recordingVerifier();
  t.is(await matchPassword({ owner, claims }, 'owner', first.verify), owner);
  t.deepEqual(first.calls, ['hash-of-owner']);
  const second = recordingVerifier();
  t.is(await matchPassword({ owner, claims }, 'newest', second.verify), claims[0]);
  t.deepEqual(second.calls, ['hash-of-owner', 'hash-of-newest']);
  t.is(await matchPassword({ owner: null, claims }, 'newest', recordingVerifier().verify), claims[0]);
  t.is(MAX_CLAIMS_PER_ADDRESS, 1);
  t.is(await matchPassword({ owner, claims }, 'older', recordingVerifier().verify), undefined, 'older claimants are not tried');
});
