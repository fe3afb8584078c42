import { z } from 'zod';
import { defineRoute, identityOf, requireIdentity } from '@vcd/http';
import { toActivityView } from '../domain/activity.js';
import { toProfileView } from '../domain/profile.js';
import { followAuthor } from '../usecases/follow-author.js';
import { getProfile } from '../usecases/get-profile.js';
import { listActivity } from '../usecases/list-activity.js';
import { listFollows } from '../usecases/list-follows.js';
import { unfollowAuthor } from '../usecases/unfollow-author.js';
import type { UserDeps } from '../usecases/user-deps.js';
import { PageQuery } from './pagination.js';

export const ProfileSchema = z.object({
  username: z.string(),
  bio: z.string().nullable(),
  image: z.string().nullable(),
  following: z.boolean(),
});
const ProfileEnvelope = z.object({ profile: ProfileSchema });
const ProfileList = z.object({ profiles: z.array(ProfileSchema), profilesCount: z.number().int() });
const ActivitySchema = z.object({
  kind: z.enum(['published', 'commented', 'reacted']),
  createdAt: z.string(),
  article: z.object({ slug: z.string(), title: z.string().nullable() }),
  commentId: z.string().nullable(),
  targetType: z.enum(['article', 'comment']).nullable(),
  reaction: z.string().nullable(),
});
const UsernameParams = z.object({ username: z.string().min(1).max(255) });

export function profileRoutes(deps: Pick<UserDeps, 'em' | 'work'>) {
  const tags = ['Profile'];

  return [
    defineRoute({
      method: 'get',
      path: '/api/profiles/:username',
      operationId: 'GetProfileByUsername',
      summary: 'Get a profile',
      tags,
      auth: 'optional',
      style: 'realworld',
      request: { params: UsernameParams },
      responses: { 200: { description: 'The profile', schema: ProfileEnvelope }, 404: { description: 'No such user' } },
      handler: async ({ params }, ctx) => {
        const profile = await getProfile(deps, { username: params.username }, identityOf(ctx)?.userId);
        return { body: { profile: toProfileView(profile, profile.following) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/profiles/:username/follow',
      operationId: 'FollowUserByUsername',
      summary: 'Follow a user',
      tags,
      auth: 'user',
      style: 'realworld',
      request: { params: UsernameParams },
      responses: {
        200: { description: 'The profile, now followed', schema: ProfileEnvelope },
        401: { description: 'Not logged in' },
        404: { description: 'No such user' },
        422: { description: 'You cannot follow yourself' },
      },
      handler: async ({ params }, ctx) => {
        const profile = await followAuthor(deps, requireIdentity(ctx), params.username);
        return { body: { profile: toProfileView(profile, profile.following) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/profiles/:username/follow',
      operationId: 'UnfollowUserByUsername',
      summary: 'Unfollow a user',
      tags,
      auth: 'user',
      style: 'realworld',
      request: { params: UsernameParams },
      responses: {
        200: { description: 'The profile, no longer followed', schema: ProfileEnvelope },
        401: { description: 'Not logged in' },
        404: { description: 'No such user' },
      },
      handler: async ({ params }, ctx) => {
        const profile = await unfollowAuthor(deps, requireIdentity(ctx), params.username);
        return { body: { profile: toProfileView(profile, profile.following) } };
      },
    }),
    ...(['followers', 'following'] as const).map((side) =>
      defineRoute({
        method: 'get',
        path: `/api/profiles/:username/${side}`,
        operationId: side === 'followers' ? 'ListFollowers' : 'ListFollowing',
        summary: side === 'followers' ? "A user's followers" : 'Whom a user follows',
        tags,
        auth: 'optional',
        style: 'realworld',
        request: { params: UsernameParams, query: PageQuery },
        responses: { 200: { description: 'One page of profiles, newest follow first', schema: ProfileList }, 404: { description: 'No such user' } },
        handler: async ({ params, query }, ctx) => {
          const page = await listFollows(deps, side, params.username, { ...query, viewerId: identityOf(ctx)?.userId });
          return { body: { profiles: page.items.map((p) => toProfileView(p, p.following)), profilesCount: page.total } };
        },
      }),
    ),
    defineRoute({
      method: 'get',
      path: '/api/profiles/:username/activity',
      operationId: 'ListActivity',
      summary: 'What a user published, commented and reacted to',
      tags,
      auth: 'optional',
      style: 'realworld',
      request: { params: UsernameParams, query: PageQuery },
      responses: {
        200: { description: 'One page of activity, newest first', schema: z.object({ activities: z.array(ActivitySchema), activitiesCount: z.number().int() }) },
        404: { description: 'No such user' },
      },
      handler: async ({ params, query }) => {
        const page = await listActivity(deps, params.username, query);
        return { body: { activities: page.items.map(toActivityView), activitiesCount: page.total } };
      },
    }),
  ];
}
