/**
 * How many of the accounts that only claim an address (typed at sign-up or in an e-mail change while another account
 * owned it) a login tries: the newest one. Each costs a verification on every failed login, for every address.
 */
export const MAX_CLAIMS_PER_ADDRESS = 1;

/**
 * Which account a password opens among those an address leads to: its owner first, then the accounts that only
 * claim it. A wrong password always costs exactly 1 + MAX_CLAIMS_PER_ADDRESS verifications, against a dummy
 * hash where there is no owner or fewer claims (`verify(undefined, …)`), so how long a failed login takes says
 * nothing about whether the address has an owner or claimants. A right one stops at its account (the caller
 * learns that anyway).
 */
export async function matchPassword<A extends { passwordHash: string }>(
  candidates: { owner?: A | null; claims: readonly A[] },
  password: string,
  verify: (hash: string | undefined, password: string) => Promise<boolean>,
): Promise<A | undefined> {
  const slots: (A | undefined)[] = [candidates.owner ?? undefined, ...candidates.claims.slice(0, MAX_CLAIMS_PER_ADDRESS)];
  while (slots.length < 1 + MAX_CLAIMS_PER_ADDRESS) slots.push(undefined);
  for (const account of slots) {
    const ok = await verify(account?.passwordHash, password);
    if (ok && account) return account;
  }
  return undefined;
}
