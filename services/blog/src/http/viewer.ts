import type { Context } from 'koa';
import { identityOf, requireIdentity } from '@vcd/http';
import type { Viewer } from '../domain/access.js';

export const viewerOf = (ctx: Context): Viewer | undefined => {
  const id = identityOf(ctx);
  return id ? { userId: id.userId, username: id.username, role: id.role } : undefined;
};

export const requireViewer = (ctx: Context): Viewer => {
  const id = requireIdentity(ctx);
  return { userId: id.userId, username: id.username, role: id.role };
};
