import type { EntityManager } from '@mikro-orm/postgresql';
import { rpcRouter, UserService, type GetProfilesRequest, type GetProfilesResponse, type ListFollowingRequest, type ListFollowingResponse, type RpcHandler } from '@vcd/contracts';
import { listFollowingIds } from '../db/follow.repository.js';
import { findProfiles, onlyUuids } from '../db/profile.repository.js';
import type { ServiceStats } from '../domain/call-stats.js';

/** Most profiles one call may ask for (a page of articles needs at most 100 authors). */
export const MAX_PROFILES_PER_CALL = 500;

/**
 * UserService as daprd delivers it (POST /vcd.user.v1.UserService/<Rpc>, protobuf bodies). Every call is
 * counted per rpc and caller app id (GET /internal/stats).
 */
export function userRpcRouter(deps: { em: () => EntityManager; stats: ServiceStats }) {
  const getProfiles: RpcHandler<GetProfilesRequest, GetProfilesResponse> = {
    rpc: UserService.GetProfiles,
    handle: async (req, caller) => {
      deps.stats.rpc.add(UserService.GetProfiles.method, caller);
      const ids = [...new Set(req.userIds ?? [])].slice(0, MAX_PROFILES_PER_CALL);
      const usernames = [...new Set(req.usernames ?? [])].slice(0, MAX_PROFILES_PER_CALL);
      const rows = await findProfiles(deps.em(), { ids, usernames, viewerId: req.viewerId || undefined });
      return { profiles: rows.map((p) => ({ userId: p.id, username: p.username, bio: p.bio, image: p.image, following: p.following })) };
    },
  };
  const listFollowing: RpcHandler<ListFollowingRequest, ListFollowingResponse> = {
    rpc: UserService.ListFollowing,
    handle: async (req, caller) => {
      deps.stats.rpc.add(UserService.ListFollowing.method, caller);
      if (onlyUuids([req.userId]).length === 0) return { userIds: [] };
      return { userIds: await listFollowingIds(deps.em(), req.userId) };
    },
  };
  return rpcRouter([getProfiles, listFollowing]);
}
