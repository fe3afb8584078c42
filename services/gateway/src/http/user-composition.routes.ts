import { z } from 'zod';
import type { Context } from 'koa';
import { UserService, type DaprGrpcInvoker } from '@vcd/contracts';
import { validationError } from '@vcd/errors';
import { defineRoute, requireIdentity, text } from '@vcd/http';
import { callUpstream, type ForwardDeps, type UpstreamResponse } from './forward.js';

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

const json = (res: UpstreamResponse) => {
  try {
    return JSON.parse(res.payload.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};
const PASSED_HEADERS = ['content-type', 'retry-after', 'ratelimit', 'ratelimit-policy'];
const passThrough = (res: UpstreamResponse) => ({
  status: res.status,
  body: json(res) ?? res.payload,
  headers: Object.fromEntries(PASSED_HEADERS.flatMap((h) => (res.headers.get(h) ? [[h, res.headers.get(h)!]] : []))),
});

/**
 * The RealWorld `user` object spans two services: e-mail, username and credentials live in auth, bio and image
 * in user. These routes compose it with at most two downstream calls (REST to auth, gRPC to user).
 */
export function userCompositionRoutes(deps: { forward: ForwardDeps; grpc: DaprGrpcInvoker; defaultAvatarUrl: string }) {
  const profileOf = async (userId: string) => {
    const res = await deps.grpc.call(UserService.GetProfiles, { userIds: [userId], viewerId: '' });
    const p = res.profiles[0];
    return { bio: p?.bio ?? null, image: p?.image ?? null };
  };
  const withProfile = async (res: UpstreamResponse, userId: string) => {
    const body = json(res) as { user?: Record<string, unknown> } | undefined;
    if (res.status !== 200 || !body?.user) return passThrough(res);
    return { status: 200, body: { user: { ...body.user, ...(await profileOf(userId)) } } };
  };
  /** The compensating step of PUT /api/user: puts bio and image back; a failure here is logged loudly. */
  const restoreProfile = async (ctx: Context, userId: string, before: { bio: string | null; image: string | null }) => {
    try {
      const res = await callUpstream(ctx, 'user', `/internal/profiles/${encodeURIComponent(userId)}`, deps.forward, { method: 'PUT', body: before });
      if (res.status !== 200) throw new Error(`user answered ${res.status}`);
    } catch (err) {
      (ctx.state.log as { error(o: object, m: string): void }).error({ err, userId }, 'PUT /api/user: could not put the profile back after auth refused');
    }
  };
  const subOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).sub as string;

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
      handler: async (_input, ctx: Context) => withProfile(await callUpstream(ctx, 'auth', '/api/user', deps.forward), requireIdentity(ctx).userId),
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
      handler: async ({ body }, ctx: Context) => {
        const res = await callUpstream(ctx, 'auth', '/api/users/login', deps.forward, { body });
        const token = (json(res) as { user?: { token?: string } } | undefined)?.user?.token;
        return token && res.status === 200 ? withProfile(res, subOf(token)) : passThrough(res);
      },
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
      handler: async ({ body }, ctx: Context) => {
        const identity = requireIdentity(ctx);
        const { bio, image: sent, ...credentials } = body.user;
        // A settings form sends back the image it was shown: the default avatar is stored as "not set".
        const image = sent === deps.defaultAvatarUrl ? null : sent;
        if (Object.keys(body.user).length === 0) throw validationError({ user: ['must contain at least one field'] });
        const profileChange = { ...(bio !== undefined ? { bio } : {}), ...(image !== undefined ? { image } : {}) };
        const changesProfile = Object.keys(profileChange).length > 0;
        const changesCredentials = Object.keys(credentials).length > 0;
        // All or nothing across two services: the profile (easy to put back) changes first, then the account.
        // If auth refuses or fails, the profile is put back as it was, and the client gets auth's answer.
        const before = changesProfile && changesCredentials ? await profileOf(identity.userId) : undefined;
        let profile: { bio: string | null; image: string | null } | undefined;
        if (changesProfile) {
          const res = await callUpstream(ctx, 'user', `/internal/profiles/${encodeURIComponent(identity.userId)}`, deps.forward, { method: 'PUT', body: profileChange });
          if (res.status !== 200) return passThrough(res);
          const updated = (json(res) as { profile: { bio: string | null; image: string | null } }).profile;
          profile = { bio: updated.bio, image: updated.image }; // only what user owns: the name is auth's
        }
        let authRes: UpstreamResponse;
        try {
          authRes = changesCredentials
            ? await callUpstream(ctx, 'auth', '/api/user', deps.forward, { method: 'PUT', body: { user: credentials } })
            : await callUpstream(ctx, 'auth', '/api/user', deps.forward, { method: 'GET' });
        } catch (err) {
          if (before) await restoreProfile(ctx, identity.userId, before);
          throw err;
        }
        if (authRes.status !== 200) {
          if (before) await restoreProfile(ctx, identity.userId, before);
          return passThrough(authRes);
        }
        const authUser = (json(authRes) as { user: Record<string, unknown> }).user;
        return { body: { user: { ...authUser, ...(profile ?? (await profileOf(identity.userId))) } } };
      },
    }),
  ];
}
