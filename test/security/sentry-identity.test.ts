import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { newSentryTokenKey, sentryToken } from '../../scripts/runner/sentry-tokens.js';
import { askSentryAt } from '../support/sentry.js';
import { stack } from '../support/stack.js';

// Attacker's notebook: every sidecar's identity (what access control trusts) is the mTLS certificate sentry
// signed for it. I am some other process on this machine. If sentry signs a certificate for app id "auth" for
// me, I am auth to every sidecar: I may create profiles, and the gateway's view of the world is mine.
// Control: sentry's JWKS validator (dapr/sentry/config.yaml, docs/adr/0010-sentry-identity.md): a certificate for
// X only with X's token, which only X's daprd is given.

const tokenOf = (appId: string) => readFile(path.join(stack().runDir, 'sentry-tokens', `${appId}.jwt`), 'utf8');
const root = () => readFile(path.join(stack().runDir, 'sentry', 'ca.crt'));
const askSentry = async (appId: string, token: string, validator?: 'JWKS' | 'INSECURE' | '') =>
  askSentryAt(`127.0.0.1:${stack().sentryPort}`, await root(), appId, token, validator);

test("sentry signs an app's certificate for the holder of that app's token (the path every sidecar takes)", async (t) => {
  t.is(await askSentry('blog', await tokenOf('blog')), 'signed');
});

test("a local process without a token cannot get a certificate for auth's app id", async (t) => {
  t.regex(await askSentry('auth', ''), /validator name must be specified/);
  // Nor by asking for the insecure validator (sentry's default outside Kubernetes) by name.
  t.regex(await askSentry('auth', '', 'INSECURE'), /validator is not enabled/);
});

test("blog's token does not buy a certificate for auth: the token names the app", async (t) => {
  t.regex(await askSentry('auth', await tokenOf('blog')), /PERMISSION_DENIED|token validation failed/);
  t.regex(await askSentry('gateway', await tokenOf('user')), /PERMISSION_DENIED|token validation failed/);
});

test('a token the attacker signs himself is refused', async (t) => {
  const forged = sentryToken(newSentryTokenKey(), 'auth');
  t.regex(await askSentry('auth', forged), /PERMISSION_DENIED|token validation failed/);
});
