import { rpcRouter, UserService, type GetProfilesRequest, type GetProfilesResponse, type ListFollowingRequest, type ListFollowingResponse, type RpcHandler } from '@vcd/contracts';
import { getProfiles } from '../usecases/get-profiles.js';
import { listFollowing } from '../usecases/list-following.js';
import type { UserDeps } from '../usecases/user-deps.js';

/**
 * UserService as daprd delivers it (POST /vcd.user.v1.UserService/<Rpc>, protobuf bodies). Every call is
 * counted per rpc and caller app id (GET /internal/stats).
 */
export function userRpcRouter(deps: Pick<UserDeps, 'em' | 'stats'>) {
  const getProfilesRpc: RpcHandler<GetProfilesRequest, GetProfilesResponse> = {
    rpc: UserService.GetProfiles,
    handle: async (req, caller) => {
      deps.stats.rpc.add(UserService.GetProfiles.method, caller);
      const rows = await getProfiles(deps, { userIds: req.userIds ?? [], usernames: req.usernames ?? [], viewerId: req.viewerId || undefined });
      return { profiles: rows.map((p) => ({ userId: p.id, username: p.username, bio: p.bio, image: p.image, following: p.following })) };
    },
  };
  const listFollowingRpc: RpcHandler<ListFollowingRequest, ListFollowingResponse> = {
    rpc: UserService.ListFollowing,
    handle: async (req, caller) => {
      deps.stats.rpc.add(UserService.ListFollowing.method, caller);
      return { userIds: await listFollowing(deps, req.userId) };
    },
  };
  return rpcRouter([getProfilesRpc, listFollowingRpc]);
}
