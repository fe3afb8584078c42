import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

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

/**
 * Asks the sentry at `address` (trusting `root`) to sign a certificate for `appId` in namespace "default", as daprd
 * does; resolves to 'signed' or sentry's refusal. `validator` defaults to JWKS when a token is given, none otherwise.
 */
export async function askSentryAt(address: string, root: Buffer, appId: string, token: string, validator: 'JWKS' | 'INSECURE' | '' = token ? 'JWKS' : ''): Promise<string> {
  // Sentry's serving certificate names its SPIFFE id, not a host name; the root is what we check it against.
  const credentials = grpc.credentials.createSsl(root, null, null, { checkServerIdentity: () => undefined });
  const client = new sentryGrpc.CAClient(address, credentials);
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
