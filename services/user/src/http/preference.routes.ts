import { z } from 'zod';
import { defineRoute, requireIdentity } from '@vcd/http';
import { LANGUAGES } from '../domain/preferences.js';
import { getPreferences } from '../usecases/get-preferences.js';
import { setPreferences } from '../usecases/set-preferences.js';
import type { UserDeps } from '../usecases/user-deps.js';

const bool = z.boolean({ error: 'must be true or false' });
const PreferencesSchema = z.object({
  notifications: z.object({ newPosts: z.boolean(), comments: z.boolean(), reactions: z.boolean(), followers: z.boolean() }),
  emailDigest: z.boolean(),
  language: z.enum(LANGUAGES),
});
/** A partial change: absent fields keep their value; unknown fields are refused (a typo should not pass silently). */
const PreferenceChangesSchema = z.strictObject({
  notifications: z.strictObject({ newPosts: bool, comments: bool, reactions: bool, followers: bool }).partial().optional(),
  emailDigest: bool.optional(),
  language: z.enum(LANGUAGES, { error: `must be one of ${LANGUAGES.join(', ')}` }).optional(),
});

export function preferenceRoutes(deps: Pick<UserDeps, 'em' | 'work'>) {
  const tags = ['Preferences'];
  return [
    defineRoute({
      method: 'get',
      path: '/api/user/preferences',
      operationId: 'GetPreferences',
      summary: "The current user's preferences (defaults until changed)",
      tags,
      auth: 'user',
      style: 'realworld',
      responses: { 200: { description: 'Preferences', schema: z.object({ preferences: PreferencesSchema }) }, 401: { description: 'Not logged in' } },
      handler: async (_input, ctx) => ({ body: { preferences: await getPreferences(deps, requireIdentity(ctx)) } }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/user/preferences',
      operationId: 'UpdatePreferences',
      summary: 'Change some preferences',
      tags,
      auth: 'user',
      style: 'realworld',
      request: { body: z.object({ preferences: PreferenceChangesSchema }) },
      responses: {
        200: { description: 'The preferences after the change', schema: z.object({ preferences: PreferencesSchema }) },
        401: { description: 'Not logged in' },
        422: { description: 'A field is invalid (named in errors)' },
      },
      handler: async ({ body }, ctx) => {
        const preferences = await setPreferences(deps, requireIdentity(ctx), body.preferences);
        return { body: { preferences } };
      },
    }),
  ];
}
