import { z } from 'zod';
import { defineRoute } from '@vcd/http';
import type { AuthRouteDeps } from './auth-deps.js';

const JwksSchema = z.object({
  keys: z.array(z.object({ kty: z.string(), crv: z.string(), x: z.string(), y: z.string(), kid: z.string(), alg: z.literal('ES256'), use: z.literal('sig') })),
});

/** The public keys that verify access tokens: for the gateway (internal) and for anyone (public). */
export function jwksRoutes(deps: AuthRouteDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/internal/jwks',
      operationId: 'InternalJwks',
      summary: 'Accepted token-verification keys (for the gateway)',
      tags: ['Internal'],
      auth: 'internal',
      responses: { 200: { description: 'JWKS', schema: JwksSchema } },
      handler: () => ({ body: deps.jwks(), headers: { 'cache-control': 'max-age=300' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/users/jwks.json',
      operationId: 'Jwks',
      summary: 'JSON Web Key Set of the keys that sign access tokens (ES256; several during a key rotation)',
      tags: ['User and Authentication'],
      auth: 'public',
      responses: { 200: { description: 'JWKS', schema: JwksSchema } },
      handler: () => ({ body: deps.jwks(), headers: { 'cache-control': 'public, max-age=300' } }),
    }),
  ];
}
