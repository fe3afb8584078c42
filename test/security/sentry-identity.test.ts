import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { newSentryTokenKey, sentryToken } from '../../scripts/runner/sentry-tokens.js';
import { stack } from '../support/stack.js';

// Attacker's notebook: every sidecar's identity (what access control trusts) is the mTLS certificate sentry
// signed for it. I am some other process on this machine. If sentry signs a certificate for app id "auth" for
// me, I am auth to every sidecar: I may create profiles, and the gateway's view of the world is mine.
// Control: sentry's JWKS validator (dapr/sentry/config.yaml, docs/adr/0010-sentry-identity.md): a certificate for
// X only with X's token, which only X's daprd is given.

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
const sentryPb = require('@dapr/dapr/proto/dapr/proto/sentry/v1/sentry_pb.js');
const sentryGrpc = require('@dapr/dapr/proto/dapr/proto/sentry/v1/sentry_grpc_pb.js');
const run = promisify(execFile);

/** A real certificate signing request (a fresh P-256 key), as daprd sends. */
async function csr(): Promise<string> {
  const { stdout } = await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=mallory', '-keyout', '/dev/null']);
  return stdout;
}

const tokenOf = (appId: string) => readFile(path.join(stack().runDir, 'sentry-tokens', `${appId}.jwt`), 'utf8');

/** Asks sentry to sign a certificate for `appId`, as daprd does; resolves to 'signed' or sentry's refusal. */
async function askSentry(appId: string, token: string, validator = token ? 'JWKS' : ''): Promise<string> {
  const root = await readFile(path.join(stack().runDir, 'sentry', 'ca.crt'));
  // Sentry's serving certificate names its SPIFFE id, not a host name; the root is what we check it against.
  const credentials = grpc.credentials.createSsl(root, null, null, { checkServerIdentity: () => undefined });
  const client = new sentryGrpc.CAClient(`127.0.0.1:${stack().sentryPort}`, credentials);
  const request = new sentryPb.SignCertificateRequest();
  request.setId(appId);
  request.setToken(token);
  request.setNamespace('default');
  request.setTrustDomain('public');
  request.setCertificateSigningRequest(Buffer.from(await csr()));
  if (validator) request.setTokenValidator(sentryPb.SignCertificateRequest.TokenValidator[validator]);
  try {
    return await new Promise<string>((resolve) => {
      client.signCertificate(request, { deadline: Date.now() + 10_000 }, (err: Error | null, res: { getWorkloadCertificate_asU8(): Uint8Array }) => {
        if (err) resolve(err.message);
        else resolve(res.getWorkloadCertificate_asU8().length > 0 ? 'signed' : 'empty answer');
      });
    });
  } finally {
    client.close();
  }
}

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
