import { z } from 'zod';
import { defineRoute, requireIdentity } from '@vcd/http';
import { toNotificationView } from '../domain/notifications.js';
import { countUnreadNotifications } from '../usecases/count-unread-notifications.js';
import { listNotifications } from '../usecases/list-notifications.js';
import { markNotificationRead } from '../usecases/mark-notification-read.js';
import { markNotificationsRead } from '../usecases/mark-notifications-read.js';
import type { UserDeps } from '../usecases/user-deps.js';
import { PageQuery } from './pagination.js';

const NotificationSchema = z.object({
  id: z.string(),
  kind: z.enum(['new_post', 'comment', 'reply', 'reaction', 'new_follower']),
  read: z.boolean(),
  createdAt: z.string(),
  actor: z.object({ username: z.string(), image: z.string().nullable() }).nullable(),
  article: z.object({ slug: z.string(), title: z.string().nullable() }).nullable(),
  commentId: z.string().nullable(),
  reaction: z.string().nullable(),
});

export function notificationRoutes(deps: Pick<UserDeps, 'em'>) {
  const tags = ['Notifications'];
  return [
    defineRoute({
      method: 'get',
      path: '/api/user/notifications',
      operationId: 'ListNotifications',
      summary: "The current user's notifications, newest first",
      tags,
      auth: 'user',
      style: 'realworld',
      request: { query: PageQuery.extend({ unread: z.enum(['true', 'false'], { error: 'must be true or false' }).optional() }) },
      responses: {
        200: { description: 'One page of notifications', schema: z.object({ notifications: z.array(NotificationSchema), notificationsCount: z.number().int() }) },
        401: { description: 'Not logged in' },
      },
      handler: async ({ query }, ctx) => {
        const page = await listNotifications(deps, requireIdentity(ctx), { ...query, unreadOnly: query.unread === 'true' });
        return { body: { notifications: page.items.map(toNotificationView), notificationsCount: page.total } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/user/notifications/unread-count',
      operationId: 'CountUnreadNotifications',
      summary: 'How many notifications are unread',
      tags,
      auth: 'user',
      style: 'realworld',
      responses: { 200: { description: 'The count', schema: z.object({ unreadCount: z.number().int() }) }, 401: { description: 'Not logged in' } },
      handler: async (_input, ctx) => ({ body: { unreadCount: await countUnreadNotifications(deps, requireIdentity(ctx)) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/user/notifications/read-all',
      operationId: 'MarkAllNotificationsRead',
      summary: 'Mark every notification read',
      tags,
      auth: 'user',
      style: 'realworld',
      responses: {
        200: { description: 'How many changed; nothing is unread now', schema: z.object({ marked: z.number().int(), unreadCount: z.literal(0) }) },
        401: { description: 'Not logged in' },
      },
      handler: async (_input, ctx) => ({ body: { marked: await markNotificationsRead(deps, requireIdentity(ctx)), unreadCount: 0 } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/user/notifications/:id/read',
      operationId: 'MarkNotificationRead',
      summary: 'Mark one notification read',
      tags,
      auth: 'user',
      style: 'realworld',
      request: { params: z.object({ id: z.string().uuid('must be a notification id') }) },
      responses: {
        200: { description: 'The notification', schema: z.object({ notification: NotificationSchema }) },
        401: { description: 'Not logged in' },
        404: { description: 'No such notification of yours' },
      },
      handler: async ({ params }, ctx) => {
        const n = await markNotificationRead(deps, requireIdentity(ctx), params.id);
        return { body: { notification: toNotificationView(n) } };
      },
    }),
  ];
}
