import { rpcRouter, serveRpc, UserService } from '@vcd/contracts';
import { getProfiles } from '../usecases/get-profiles.js';
import { listFollowing } from '../usecases/list-following.js';
import type { UserDeps } from '../usecases/user-deps.js';

/**
 * UserService as daprd delivers it (POST /vcd.user.v1.UserService/<Rpc>, protobuf bodies), in the types generated
 * from proto/user/v1/user.proto. Every call is counted per rpc and caller app id (GET /internal/stats).
 */
export function userRpcRouter(deps: Pick<UserDeps, 'em' | 'stats'>) {
  const getProfilesRpc = serveRpc(UserService.GetProfiles, async (req, caller) => {
    deps.stats.rpc.add(UserService.GetProfiles.method, caller);
    const rows = await getProfiles(deps, { userIds: req.userIds, usernames: req.usernames, viewerId: req.viewerId || undefined });
    return {
      profiles: rows.map((p) => ({ userId: p.id, username: p.username, bio: p.bio ?? undefined, image: p.image ?? undefined, following: p.following })),
    };
  });
  const listFollowingRpc = serveRpc(UserService.ListFollowing, async (req, caller) => {
    deps.stats.rpc.add(UserService.ListFollowing.method, caller);
    return { userIds: await listFollowing(deps, req.userId) };
  });
  return rpcRouter([getProfilesRpc, listFollowingRpc]);
}
