import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { notFound } from '@vcd/errors';
import { defineRoute } from '@vcd/http';
import { findProfileByUsername } from '../db/profile.repository.js';
import { toProfileView } from '../domain/profile.js';

export const ProfileSchema = z.object({
  username: z.string(),
  bio: z.string().nullable(),
  image: z.string().nullable(),
  following: z.boolean(),
});

export function profileRoutes(deps: { em: () => EntityManager }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/profiles/:username',
      operationId: 'GetProfileByUsername',
      summary: 'Get a profile',
      tags: ['Profile'],
      auth: 'optional',
      style: 'realworld',
      request: { params: z.object({ username: z.string().min(1).max(64) }) },
      responses: { 200: { description: 'The profile', schema: z.object({ profile: ProfileSchema }) }, 404: { description: 'No such user' } },
      handler: async ({ params }) => {
        const profile = await findProfileByUsername(deps.em(), params.username);
        if (!profile) throw notFound('USER.PROFILE_NOT_FOUND', `No profile for ${params.username}`);
        return { body: { profile: toProfileView(profile, false) } };
      },
    }),
  ];
}
