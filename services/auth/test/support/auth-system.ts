/** Helpers for the auth system tests (test/system/auth-*.test.ts): mail from MailDev, client addresses, tokens. */
import { randomInt } from 'node:crypto';
import { query } from '../../../../test/support/db.js';
import { api, eventually, newUser, stack } from '../../../../test/support/stack.js';

export interface CaughtMail {
  id: string;
  subject: string;
  text: string;
  to: { address: string }[];
  /** When MailDev received it, and the Message-ID the sender gave it. */
  date?: string;
  messageId?: string;
}

/** Every mail MailDev received for `address`, oldest first. */
export async function mailsTo(address: string): Promise<CaughtMail[]> {
  const res = await fetch(`${stack().mailUrl}/api/email`);
  const all = (await res.json()) as CaughtMail[];
  return all.filter((m) => m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()));
}

/** Waits for the `n`-th mail (1-based) to `address` whose subject matches, as a user waits for their inbox. */
export async function waitForMail(address: string, subject: RegExp, n = 1): Promise<CaughtMail> {
  try {
    return await eventually(async () => (await mailsTo(address)).filter((m) => subject.test(m.subject))[n - 1], 15_000, 100);
  } catch (err) {
    // Say where the mail is: never queued, queued and not sent (leased? failed?), or sent and not caught.
    const rows = await query('auth', `select subject, created_at, next_attempt_at, sent_at, attempts, lease_until, lease_owner, last_error from mail_outbox where lower(to_address) = lower($1) order by created_at`, [address]);
    const caught = (await mailsTo(address)).map((m) => m.subject);
    throw new Error(`${(err as Error).message}: mail ${n} matching ${subject} to ${address} did not arrive; outbox rows ${JSON.stringify(rows)}; MailDev has ${JSON.stringify(caught)}`, { cause: err });
  }
}

/** The token in a mailed link (…?token=…), as a frontend page would read it from its URL. */
export function tokenFromLink(mail: CaughtMail, page: string): string {
  const match = new RegExp(`https?://\\S+/${page}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${page} link in: ${mail.text}`);
  return decodeURIComponent(new URL(match[0]).searchParams.get('token')!);
}

/** A client address of our own (benchmark range 198.18.0.0/15), so gateway budgets of other tests are not ours. */
export const freshIp = () => `198.${randomInt(18, 20)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** A request from a given client address (the gateway trusts X-Forwarded-For from loopback in tests). */
export const from = (ip: string) => ({ 'x-forwarded-for': ip });

export async function registerFrom(ip: string, user = newUser('a')) {
  const res = await api('POST', '/api/users', { body: { user }, headers: from(ip) });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...user, token: res.body.user.token as string, refreshToken: res.body.user.refreshToken as string };
}

export async function loginFrom(ip: string, email: string, password: string) {
  return api('POST', '/api/users/login', { body: { user: { email, password } }, headers: from(ip) });
}

export const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown> & { sub: string; sid: string };
export const headerOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** Calls an auth route as the gateway does: through the gateway's own sidecar, with its Dapr API token. */
export async function viaGatewaySidecar(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
  const gw = stack().apps.gateway!;
  const res = await fetch(`http://127.0.0.1:${gw.daprHttpPort}/v1.0/invoke/auth/method/${path.replace(/^\//, '')}`, {
    method,
    headers: { 'dapr-api-token': gw.daprApiToken, ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON (e.g. "Accepted") */
  }
  return { status: res.status, headers: res.headers, body: body as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * A successful login of a bystander between failures. daprd's circuit breaker (components/resiliency.yaml, trip
 * at 10 consecutive failures per target method) counts 401s as failures, so 10 wrong passwords in a row would
 * open it for every caller of the login route; tests of auth's own limits interleave a success so they measure
 * auth, not the breaker (test/disruptive/auth-registration.test.ts covers the breaker itself).
 */
let bystander: Promise<{ email: string; password: string }> | undefined;
export async function succeedOnce(): Promise<void> {
  bystander ??= registerFrom(freshIp(), newUser('bystander'));
  const { email, password } = await bystander;
  const res = await loginFrom(freshIp(), email, password);
  if (res.status !== 200) throw new Error(`bystander login answered ${res.status}`);
}

/** Events the auth outbox holds for a user (payload->>'userId'), oldest first. */
export const outboxEvents = (topic: string, userId: string) =>
  query<{ id: string; payload: Record<string, unknown> }>('auth', `select id, payload from outbox where topic = $1 and payload->>'userId' = $2 order by created_at`, [topic, userId]);

export const accountRow = async (username: string) =>
  (await query<{ id: string; email: string | null; claimed_email: string | null; password_hash: string; email_verified_at: Date | null; role: string }>(
    'auth',
    'select id, email, claimed_email, password_hash, email_verified_at, role from account where username = $1',
    [username],
  ))[0]!;

export const sessionRows = (accountId: string) =>
  query<{ id: string; revoked_at: Date | null; revoked_reason: string | null }>('auth', 'select id, revoked_at, revoked_reason from session where account_id = $1 order by created_at', [accountId]);
