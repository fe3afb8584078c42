import type { Context } from 'koa';
import type { z } from 'zod';

/**
 * Where public routes live: the REST API, and the feeds (outside /api so feed readers see plain URLs). The
 * gateway forwards declared routes under these prefixes only; services answer them only to the gateway.
 */
export const PUBLIC_PATH_PREFIXES = ['/api/', '/feeds/'] as const;

export const isPublicPath = (path: string): boolean => PUBLIC_PATH_PREFIXES.some((prefix) => path.startsWith(prefix));

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route, as the gateway enforces it and the OpenAPI document shows it. */
export type RouteAuth = 'public' | 'optional' | 'user' | 'editor' | 'admin' | 'internal';

export interface RouteRequest {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Request headers the route reads (names in lower case), validated and documented like the query. */
  headers?: z.ZodType;
}

export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteInput<R extends RouteRequest> {
  params: R['params'] extends z.ZodType ? z.infer<R['params']> : Record<string, string>;
  query: R['query'] extends z.ZodType ? z.infer<R['query']> : Record<string, unknown>;
  body: R['body'] extends z.ZodType ? z.infer<R['body']> : undefined;
  headers: R['headers'] extends z.ZodType ? z.infer<R['headers']> : Record<string, unknown>;
}

export interface RouteResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One declaration per route: it drives registration, validation and the OpenAPI document. */
export interface RouteDefinition<R extends RouteRequest = RouteRequest> {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  auth: RouteAuth;
  /** RealWorld routes answer validation errors as {"errors":{…}}; others as problem+json. */
  style?: 'realworld' | 'problem';
  /** Maximum accepted JSON body in bytes (default 64 KiB). */
  bodyLimit?: number;
  request?: R;
  responses: Record<number, RouteResponse>;
  handler: (input: RouteInput<R>, ctx: Context) => Promise<RouteResult> | RouteResult;
}

export function defineRoute<R extends RouteRequest>(route: RouteDefinition<R>): RouteDefinition<R> {
  return route;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDefinition<any>;
