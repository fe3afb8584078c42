import { UserService, type DaprGrpcInvoker } from '@vcd/contracts';
import type { AuthorProfile, UserDirectory } from '../domain/authors.js';

/** The user service's profile contract (UserService over Dapr's gRPC InvokeService), one call per page. */
export class GrpcUserDirectory implements UserDirectory {
  constructor(private readonly invoker: DaprGrpcInvoker) {}

  async profiles(request: { userIds: string[]; usernames?: string[]; viewerId?: string }) {
    const out = new Map<string, AuthorProfile & { userId: string }>();
    const userIds = [...new Set(request.userIds)];
    const usernames = [...new Set(request.usernames ?? [])];
    if (userIds.length === 0 && usernames.length === 0) return out;
    const res = await this.invoker.call(UserService.GetProfiles, { userIds, usernames, viewerId: request.viewerId ?? '' });
    for (const p of res.profiles ?? []) {
      out.set(p.userId, { userId: p.userId, username: p.username, bio: p.bio || null, image: p.image || null, following: !!p.following });
    }
    return out;
  }

  async following(userId: string): Promise<string[]> {
    const res = await this.invoker.call(UserService.ListFollowing, { userId });
    return res.userIds ?? [];
  }
}
