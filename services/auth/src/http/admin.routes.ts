import { z } from 'zod';
import { notFound } from '@vcd/errors';
import { defineRoute } from '@vcd/http';
import { findAccountByUsername } from '../db/account.repository.js';
import { ROLE } from '../domain/account-rules.js';
import type { AuthRouteDeps } from './auth-deps.js';

/** Role management (admins only). The new role applies to new tokens, and at once wherever ValidateToken is asked. */
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
        200: { description: 'The role was set', schema: z.object({ user: z.object({ username: z.string(), role: ROLE }) }) },
        403: { description: 'Not an admin' },
        404: { description: 'No such user' },
        422: { description: 'Not a role' },
      },
      handler: async ({ params, body }) => {
        const em = deps.em();
        const account = await findAccountByUsername(em, params.username);
        if (!account) throw notFound('AUTH.USER_NOT_FOUND', 'No user with this username');
        account.role = body.role;
        account.updatedAt = new Date();
        await em.flush();
        return { body: { user: { username: account.username, role: account.role } } };
      },
    }),
  ];
}
