import { z } from 'zod';
import { defineRoute } from '@vcd/http';
import { ROLE } from './account-fields.js';
import { setRole } from '../usecases/set-role.js';
import type { AuthRouteDeps } from './auth-deps.js';

/**
 * Role management (admins only). The new role applies to new tokens, at once wherever ValidateToken is asked, and
 * user.role_changed tells the gateway to drop the user's cached sessions.
 */
export function adminRoutes(deps: AuthRouteDeps) {
  return [
    defineRoute({
      method: 'put',
      path: '/api/admin/users/:username/role',
      operationId: 'SetUserRole',
      summary: "Set a user's role",
      tags: ['Administration'],
      auth: 'admin',
      style: 'realworld',
      request: { params: z.object({ username: z.string().min(1).max(64) }), body: z.object({ role: ROLE }) },
      responses: {
        200: { description: 'The role was set (a change publishes user.role_changed)', schema: z.object({ user: z.object({ username: z.string(), role: ROLE }) }) },
        403: { description: 'Not an admin' },
        404: { description: 'No such user' },
        422: { description: 'Not a role' },
      },
      handler: async ({ params, body }) => {
        const account = await setRole(deps, { username: params.username, role: body.role });
        return { body: { user: { username: account.username, role: account.role } } };
      },
    }),
  ];
}
