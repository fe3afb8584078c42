import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';

/**
 * Sentry's JWKS validator (docs/adr/0010-sentry-identity.md): sentry signs a certificate for app id X only when
 * the request carries a JWT whose subject is X's SPIFFE id, signed by a key in sentry's JWKS. Outside Kubernetes
 * (development, tests, compose) we are the issuer: one ES256 key, one token per app, handed to that app's daprd
 * alone (DAPR_SENTRY_TOKEN_FILE). Without it, sentry's default "insecure" validator signs any app id for anyone.
 */

/** Sentry's own trust domain (its --trust-domain; daprd's --control-plane-trust-domain defaults to it). */
export const SENTRY_TRUST_DOMAIN = 'localhost';
/** The workloads' trust domain and namespace (accessControl.trustDomain; daprd's NAMESPACE, "default" outside Kubernetes). */
export const APP_TRUST_DOMAIN = 'public';
export const APP_NAMESPACE = 'default';

/** Sentry's SPIFFE id (in its namespace, "default" when NAMESPACE is unset): the audience every token names. */
export const sentryAudience = (sentryNamespace = 'default') => `spiffe://${SENTRY_TRUST_DOMAIN}/ns/${sentryNamespace}/dapr-sentry`;
export const appSpiffeId = (appId: string, namespace = APP_NAMESPACE) => `spiffe://${APP_TRUST_DOMAIN}/ns/${namespace}/${appId}`;

/** A new token-signing key (PKCS#8 PEM). */
export function newSentryTokenKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

const kidOf = (keyPem: string) =>
  createHash('sha256').update(createPublicKey(createPrivateKey(keyPem)).export({ format: 'der', type: 'spki' })).digest('base64url').slice(0, 16);

/** The JWKS sentry trusts (the public half only). */
export function sentryJwks(keyPem: string): string {
  const jwk = createPublicKey(createPrivateKey(keyPem)).export({ format: 'jwk' });
  return JSON.stringify({ keys: [{ ...jwk, kid: kidOf(keyPem), alg: 'ES256', use: 'sig' }] });
}

/** The token that lets `appId`'s daprd, and nobody else, get a certificate for `appId`. */
export function sentryToken(keyPem: string, appId: string, options: { namespace?: string; validForSeconds?: number } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = part({ alg: 'ES256', typ: 'JWT', kid: kidOf(keyPem) });
  const claims = part({
    iss: 'vcd-simple-blog',
    sub: appSpiffeId(appId, options.namespace),
    aud: sentryAudience(),
    iat: now,
    ...(options.validForSeconds ? { exp: now + options.validForSeconds } : {}),
  });
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: createPrivateKey(keyPem), dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${header}.${claims}.${signature}`;
}
