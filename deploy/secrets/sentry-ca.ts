import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Sentry's issuer credentials (the files its --issuer-credentials folder holds): a root and an issuer signed by it. */
export interface SentryCa {
  /** ca.crt: the trust anchor every daprd is given (DAPR_TRUST_ANCHORS). */
  rootCert: string;
  /** issuer.crt and issuer.key: what sentry signs workload certificates with. */
  issuerCert: string;
  issuerKey: string;
}

/**
 * A new root (self-signed, P-256, 10 years) and issuer (1 year; CA, path length 0) for a sentry outside Kubernetes,
 * made with openssl, since a daprd container must be given the root before sentry starts (it cannot read a file
 * sentry writes). The root's key is not kept: a new issuer means a new root.
 */
export function generateSentryCa(): SentryCa {
  const dir = mkdtempSync(path.join(tmpdir(), 'vcd-sentry-ca-'));
  const at = (f: string) => path.join(dir, f);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    writeFileSync(at('issuer.ext'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', at('root.key'));
    openssl('req', '-new', '-x509', '-key', at('root.key'), '-subj', '/O=vcd-simple-blog/CN=cluster.local', '-days', '3650', '-sha256',
      '-extensions', 'v3_ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', at('ca.crt'));
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', at('issuer.key'));
    openssl('req', '-new', '-key', at('issuer.key'), '-subj', '/O=vcd-simple-blog/CN=cluster.local', '-out', at('issuer.csr'));
    openssl('x509', '-req', '-in', at('issuer.csr'), '-CA', at('ca.crt'), '-CAkey', at('root.key'), '-CAcreateserial', '-days', '365', '-sha256',
      '-extfile', at('issuer.ext'), '-out', at('issuer.crt'));
    return { rootCert: readFileSync(at('ca.crt'), 'utf8'), issuerCert: readFileSync(at('issuer.crt'), 'utf8'), issuerKey: readFileSync(at('issuer.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
