import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startProcess, type LogSink, type ManagedProcess } from './processes.js';
import { untilUp } from './readiness.js';
import { renderSentryConfig } from './resources.js';
import { newSentryTokenKey, sentryJwks, sentryToken } from './sentry-tokens.js';

export const sentryPath = () => process.env.SENTRY_PATH ?? path.join(os.homedir(), '.dapr', 'bin', 'sentry');

export interface RunningSentry {
  process: ManagedProcess;
  /** Its root certificate, which every sidecar trusts (DAPR_TRUST_ANCHORS). */
  trustAnchors: string;
  /** The file holding the token an app's daprd presents to be signed for that app id. */
  tokenFile: (appId: string) => string;
}

/**
 * Sentry, Dapr's certificate authority: every sidecar gets an mTLS certificate with its app id (SPIFFE), which
 * the callee's access control checks. It creates a self-signed root in its credentials folder on first start.
 * It signs an app id only for a request with that app's token (JWKS validator, ADR 10): a key made for this run,
 * one token per app, each readable by its owner only and handed to that app's daprd.
 */
export async function startSentry(o: {
  configDir: string;
  runDir: string;
  appIds: string[];
  ports: { grpc: number; healthz: number };
  sink: LogSink;
  watch: (proc: ManagedProcess) => void;
}): Promise<RunningSentry> {
  const credentials = path.join(o.runDir, 'sentry');
  const tokens = path.join(o.runDir, 'sentry-tokens');
  const tokenFile = (appId: string) => path.join(tokens, `${appId}.jwt`);
  await mkdir(credentials, { recursive: true });
  await mkdir(tokens, { recursive: true, mode: 0o700 });
  const tokenKey = newSentryTokenKey();
  await writeFile(path.join(tokens, 'jwks.json'), sentryJwks(tokenKey));
  for (const appId of o.appIds) await writeFile(tokenFile(appId), sentryToken(tokenKey, appId), { mode: 0o600 });
  const config = await renderSentryConfig(o.configDir, o.runDir, path.join(tokens, 'jwks.json'));
  const proc = startProcess(
    'sentry',
    sentryPath(),
    ['--config', config, '--issuer-credentials', credentials, '--trust-domain', 'localhost', '--port', String(o.ports.grpc), '--listen-address', '127.0.0.1',
      '--healthz-port', String(o.ports.healthz), '--healthz-listen-address', '127.0.0.1', '--enable-metrics=false', '--log-level', 'warn'],
    { cwd: o.runDir, env: process.env, sink: o.sink },
  );
  o.watch(proc);
  await untilUp(proc, `http://127.0.0.1:${o.ports.healthz}/healthz`, 30_000, (s) => s === 200);
  return { process: proc, trustAnchors: await readFile(path.join(credentials, 'ca.crt'), 'utf8'), tokenFile };
}
