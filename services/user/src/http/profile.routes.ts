import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { notFound, validationError } from '@vcd/errors';
import { defineRoute, identityOf, requireIdentity } from '@vcd/http';
import { listActivity } from '../db/activity.repository.js';
import { followWithEvent, listFollowPage, unfollowWithEvent } from '../db/follow.repository.js';
import { findProfileByUsername, type ProfileRow } from '../db/profile.repository.js';
import { toActivityView } from '../domain/activity.js';
import { canFollow, toProfileView } from '../domain/profile.js';
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

export interface ProfileRouteDeps {
  em: () => EntityManager;
  afterCommit: () => void;
}

export function profileRoutes(deps: ProfileRouteDeps) {
  const profileOr404 = async (username: string, viewerId?: string): Promise<ProfileRow> => {
    const profile = await findProfileByUsername(deps.em(), username, viewerId);
    if (!profile) throw notFound('USER.PROFILE_NOT_FOUND', `No profile for ${username}`, 'profile');
    return profile;
  };
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
        const profile = await profileOr404(params.username, identityOf(ctx)?.userId);
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
        const me = requireIdentity(ctx);
        const profile = await profileOr404(params.username, me.userId);
        if (!canFollow(me.userId, profile.id)) throw validationError({ username: ['cannot follow yourself'] });
        if (await followWithEvent(deps.em(), me.userId, profile.id)) deps.afterCommit();
        return { body: { profile: toProfileView(profile, true) } };
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
        const me = requireIdentity(ctx);
        const profile = await profileOr404(params.username, me.userId);
        if (await unfollowWithEvent(deps.em(), me.userId, profile.id)) deps.afterCommit();
        return { body: { profile: toProfileView(profile, false) } };
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
          const viewerId = identityOf(ctx)?.userId;
          const owner = await profileOr404(params.username);
          const page = await listFollowPage(deps.em(), side, owner.id, { ...query, viewerId });
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
        const owner = await profileOr404(params.username);
        const page = await listActivity(deps.em(), owner.id, query);
        return { body: { activities: page.items.map(toActivityView), activitiesCount: page.total } };
      },
    }),
  ];
}
