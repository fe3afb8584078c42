import { OpenApiBuilder, type OpenAPIObject, type OperationObject, type ParameterObject, type SchemaObject, type SecurityRequirementObject } from 'openapi3-ts/oas31';
import { z } from 'zod';
import { toOpenApiPath } from './mount-routes.js';
import type { AnyRoute } from './route.js';

const toSchema = (schema: z.ZodType): SchemaObject => {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json as SchemaObject;
};

function parametersOf(route: AnyRoute): ParameterObject[] {
  const params: ParameterObject[] = [];
  const pathNames = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  const paramShape = (route.request?.params as z.ZodObject | undefined)?.shape ?? {};
  for (const name of pathNames) {
    const s = (paramShape as Record<string, z.ZodType>)[name];
    params.push({ name, in: 'path', required: true, schema: s ? toSchema(s) : { type: 'string' } });
  }
  const queryShape = (route.request?.query as z.ZodObject | undefined)?.shape ?? {};
  for (const [name, s] of Object.entries(queryShape as Record<string, z.ZodType>)) {
    params.push({ name, in: 'query', required: !s.safeParse(undefined).success, schema: toSchema(s) });
  }
  const headerShape = (route.request?.headers as z.ZodObject | undefined)?.shape ?? {};
  for (const [name, s] of Object.entries(headerShape as Record<string, z.ZodType>)) {
    const description = s.description;
    params.push({ name, in: 'header', required: !s.safeParse(undefined).success, schema: toSchema(s), ...(description ? { description } : {}) });
  }
  return params;
}

const security = (route: AnyRoute): SecurityRequirementObject[] =>
  route.auth === 'public' || route.auth === 'internal' ? [] : route.auth === 'optional' ? [{}, { Token: [] as string[] }] : [{ Token: [] as string[] }];

/** Every error of a RealWorld route (packages/errors, realworld-errors.ts). */
const REALWORLD_ERROR: SchemaObject = {
  type: 'object',
  required: ['errors'],
  properties: {
    errors: {
      type: 'object',
      description: 'Field (or subject) → messages, e.g. {"email or password": ["is invalid"]}',
      additionalProperties: { type: 'array', items: { type: 'string' } },
    },
    code: { type: 'string', description: 'Stable error code, e.g. AUTH.INVALID_CREDENTIALS' },
    requestId: { type: 'string' },
  },
};

/** Every error of the other routes: RFC 9457 problem details with our stable code. */
const PROBLEM: SchemaObject = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string' },
    requestId: { type: 'string' },
    errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
  },
};

/** Builds an OpenAPI 3.1 document from route declarations, so the docs cannot drift from the code. */
export function buildOpenApi(info: { title: string; version: string; description?: string }, routes: AnyRoute[]): OpenAPIObject {
  const builder = OpenApiBuilder.create()
    .addOpenApiVersion('3.1.0')
    .addInfo(info)
    .addSecurityScheme('Token', {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: 'JWT access token: `Token <jwt>` (RealWorld) or `Bearer <jwt>`',
    });
  const paths: Record<string, Record<string, OperationObject>> = {};
  for (const route of routes) {
    if (route.auth === 'internal') continue;
    const responses: OperationObject['responses'] = {};
    for (const [status, res] of Object.entries(route.responses)) {
      responses[status] = res.schema
        ? { description: res.description, content: { [res.contentType ?? 'application/json']: { schema: toSchema(res.schema) } } }
        : Number(status) >= 400
          ? { description: res.description, content: route.style === 'realworld' ? { 'application/json': { schema: REALWORLD_ERROR } } : { 'application/problem+json': { schema: PROBLEM } } }
          : { description: res.description };
    }
    const op: OperationObject = {
      operationId: route.operationId,
      summary: route.summary,
      tags: route.tags,
      security: security(route),
      parameters: parametersOf(route),
      responses,
      ...(route.auth !== 'public' && route.auth !== 'optional' ? { 'x-required-role': route.auth } : {}),
      // The gateway answers its own errors for this route (e.g. a refused path) in the route's style.
      ...(route.style === 'realworld' ? { 'x-error-style': 'realworld' } : {}),
    };
    if (route.request?.body) {
      op.requestBody = { required: !route.request.body.safeParse(undefined).success, content: { 'application/json': { schema: toSchema(route.request.body) } } };
    }
    (paths[toOpenApiPath(route.path)] ??= {})[route.method] = op;
  }
  for (const [path, item] of Object.entries(paths)) builder.addPath(path, item);
  return builder.getSpec();
}
