import { UserService, type DaprGrpcInvoker } from '@vcd/contracts';

/** The part of the RealWorld `user` the user service owns. */
export interface ProfileCard {
  bio: string | null;
  image: string | null;
}

/** The user service's profile card of one account (UserService.GetProfiles over Dapr's gRPC InvokeService). */
export const userProfiles = (grpc: DaprGrpcInvoker) => ({
  async cardOf(userId: string): Promise<ProfileCard> {
    const res = await grpc.call(UserService.GetProfiles, { userIds: [userId], viewerId: '' });
    const p = res.profiles[0];
    return { bio: p?.bio ?? null, image: p?.image ?? null };
  },
});
