import { z } from 'zod';
import type { Context } from 'koa';
import { defineRoute, requireIdentity, text } from '@vcd/http';
import { jsonOf, type UpstreamAnswer } from '../domain/upstream-answer.js';
import type { Composed, CompositionDeps } from '../usecases/compose-user.js';
import { getCurrentUser } from '../usecases/get-current-user.js';
import { logIn } from '../usecases/log-in.js';
import { updateCurrentUser } from '../usecases/update-current-user.js';
import { callUpstream, type ForwardDeps } from './forward.js';

const UserObject = z.object({
  email: z.string(),
  token: z.string(),
  username: z.string(),
  bio: z.string().nullable(),
  image: z.string().nullable(),
  refreshToken: z.string().optional(),
});
const UserEnvelope = z.object({ user: UserObject });

const UpdateUser = z.object({
  user: z
    .object({
      email: text().optional(),
      username: text().optional(),
      password: text().optional(),
      /** Required by auth when `email` or `password` changes. */
      currentPassword: text().optional(),
      bio: text().max(2000, 'is too long (maximum is 2000 characters)').nullable().optional(),
      image: text().max(2048, 'is too long (maximum is 2048 characters)').nullable().optional(),
    })
    .strict(),
});

const PASSED_HEADERS = ['content-type', 'retry-after', 'ratelimit', 'ratelimit-policy'];
/** A downstream answer as the client gets it: its status, JSON body (or bytes) and the headers worth passing on. */
const passThrough = (res: UpstreamAnswer) => ({
  status: res.status,
  body: jsonOf(res) ?? res.payload,
  headers: Object.fromEntries(PASSED_HEADERS.flatMap((h) => (res.headers.get(h) ? [[h, res.headers.get(h)!]] : []))),
});
const answer = (result: Composed) => ('passThrough' in result ? passThrough(result.passThrough) : { status: 200, body: { user: result.user } });

/**
 * The RealWorld `user` object spans two services: e-mail, username and credentials live in auth, bio and image
 * in user. These routes compose it (usecases/) with at most two downstream calls (REST to auth, gRPC to user).
 */
export function userCompositionRoutes(deps: { forward: ForwardDeps; profiles: CompositionDeps['profiles']; defaultAvatarUrl: string }) {
  /** The use cases' ports for this request: downstream calls carry its identity and headers; its logger. */
  const composition = (ctx: Context): CompositionDeps => ({
    upstream: (appId, path, override) => callUpstream(ctx, appId, path, deps.forward, override),
    profiles: deps.profiles,
    log: ctx.state.log as CompositionDeps['log'],
  });

  return [
    defineRoute({
      method: 'get',
      path: '/api/user',
      operationId: 'GetCurrentUser',
      summary: 'Get the current user',
      tags: ['User and Authentication'],
      auth: 'user',
      style: 'realworld',
      responses: { 200: { description: 'The current user', schema: UserEnvelope }, 401: { description: 'Not logged in' } },
      handler: async (_input, ctx: Context) => answer(await getCurrentUser(composition(ctx), requireIdentity(ctx))),
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/login',
      operationId: 'Login',
      summary: 'Log in',
      tags: ['User and Authentication'],
      auth: 'public',
      style: 'realworld',
      bodyLimit: 16 * 1024,
      request: { body: z.object({ user: z.object({ email: text(), password: text() }) }) },
      responses: { 200: { description: 'Logged in', schema: UserEnvelope }, 401: { description: 'Wrong e-mail or password' }, 422: { description: 'Invalid body' } },
      handler: async ({ body }, ctx: Context) => answer(await logIn(composition(ctx), body)),
    }),
    defineRoute({
      method: 'put',
      path: '/api/user',
      operationId: 'UpdateCurrentUser',
      summary: 'Update the current user (e-mail, username, password, bio, image)',
      tags: ['User and Authentication'],
      auth: 'user',
      style: 'realworld',
      bodyLimit: 16 * 1024,
      request: { body: UpdateUser },
      responses: { 200: { description: 'The updated user', schema: UserEnvelope }, 401: { description: 'Not logged in' }, 422: { description: 'Invalid fields' } },
      handler: async ({ body }, ctx: Context) =>
        answer(await updateCurrentUser({ ...composition(ctx), defaultAvatarUrl: deps.defaultAvatarUrl }, requireIdentity(ctx), body.user)),
    }),
  ];
}
