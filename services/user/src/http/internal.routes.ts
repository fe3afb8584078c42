import { z } from 'zod';
import { defineRoute } from '@vcd/http';
import { toProfileView } from '../domain/profile.js';
import { createProfile } from '../usecases/create-profile.js';
import { getProfile } from '../usecases/get-profile.js';
import { updateProfile } from '../usecases/update-profile.js';
import type { UserDeps } from '../usecases/user-deps.js';
import { ProfileSchema } from './profile.routes.js';

const ProfileEnvelope = z.object({ profile: ProfileSchema });
const UserIdParams = z.object({ userId: z.string().uuid('must be an account id') });

/** Routes for other services (caller app id required; not in the public OpenAPI document). */
export function internalRoutes(deps: UserDeps) {
  const tags = ['Internal'];
  return [
    defineRoute({
      method: 'post',
      path: '/internal/profiles',
      operationId: 'CreateProfileInternal',
      summary: 'Create the profile of a new account (idempotent; auth calls it right after registration)',
      tags,
      auth: 'internal',
      request: { body: z.object({ userId: z.string().uuid('must be an account id'), username: z.string().min(1).max(255) }) },
      responses: {
        201: { description: 'Created', schema: ProfileEnvelope },
        200: { description: 'Already existed', schema: ProfileEnvelope },
        409: { description: 'Another account still holds this username here (a rename is on its way)' },
      },
      handler: async ({ body }) => {
        const { created, profile } = await createProfile(deps, body);
        return { status: created ? 201 : 200, body: { profile: toProfileView(profile, false) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/internal/profiles/:userId',
      operationId: 'GetProfileInternal',
      summary: 'The profile of an account (the gateway composes GET /api/user with it)',
      tags,
      auth: 'internal',
      request: { params: UserIdParams },
      responses: { 200: { description: 'The profile', schema: ProfileEnvelope }, 404: { description: 'No such profile' } },
      handler: async ({ params }) => {
        const profile = await getProfile(deps, { userId: params.userId });
        return { body: { profile: toProfileView(profile, false) } };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/internal/profiles/:userId',
      operationId: 'UpdateProfileInternal',
      summary: 'Change bio and image (the gateway calls it for PUT /api/user); emits profile.updated',
      tags,
      auth: 'internal',
      style: 'realworld',
      request: {
        params: UserIdParams,
        body: z.object({
          bio: z.string().max(10_000, 'must be at most 10000 characters').nullable().optional(),
          image: z.string().max(2_048, 'must be at most 2048 characters').nullable().optional(),
        }),
      },
      responses: {
        200: { description: 'The profile after the change', schema: ProfileEnvelope },
        404: { description: 'No such profile' },
        422: { description: 'A field is invalid' },
      },
      handler: async ({ params, body }) => {
        const profile = await updateProfile(deps, params.userId, body);
        return { body: { profile: toProfileView(profile, false) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/internal/stats',
      operationId: 'UserServiceStats',
      summary: 'Counters since start: gRPC calls per rpc and caller app id, event deliveries per topic and outcome',
      tags,
      auth: 'internal',
      responses: {
        200: {
          description: 'Counters',
          schema: z.object({ rpc: z.record(z.string(), z.record(z.string(), z.number())), events: z.record(z.string(), z.record(z.string(), z.number())) }),
        },
      },
      handler: () => ({ body: { rpc: deps.stats.rpc.snapshot(), events: deps.stats.events.snapshot() } }),
    }),
  ];
}
