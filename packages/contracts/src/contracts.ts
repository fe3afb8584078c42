import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const protoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');

/** The contracts in proto/, loaded once. */
export const root = protobuf.loadSync([path.join(protoRoot, 'auth/v1/auth.proto'), path.join(protoRoot, 'user/v1/user.proto')]);

// TypeScript shapes of the proto messages (protobufjs field names are camelCase).
export interface ValidateTokenRequest {
  sessionId: string;
  userId: string;
}
export interface ValidateTokenResponse {
  valid: boolean;
  userId: string;
  username: string;
  role: string;
  reason: string;
  /** Milliseconds since the epoch (a string or number off the wire: protobuf int64); 0 when not valid. */
  activeUntilMs?: number | string;
}
export interface GetProfilesRequest {
  userIds: string[];
  viewerId: string;
  usernames?: string[];
}
export interface ListFollowingRequest {
  userId: string;
}
export interface ListFollowingResponse {
  userIds: string[];
}
export interface ProfileMessage {
  userId: string;
  username: string;
  bio?: string | null;
  image?: string | null;
  following: boolean;
}
export interface GetProfilesResponse {
  profiles: ProfileMessage[];
}

/** One RPC: the app that serves it, its Dapr method name, and codecs for both messages. */
export interface Rpc<Req, Res> {
  appId: string;
  method: string;
  encodeRequest(msg: Req): Uint8Array;
  decodeRequest(bytes: Uint8Array): Req;
  encodeResponse(msg: Res): Uint8Array;
  decodeResponse(bytes: Uint8Array): Res;
}

function rpc<Req, Res>(appId: string, service: string, name: string): Rpc<Req, Res> {
  const svc = root.lookupService(service);
  const m = svc.methods[name];
  if (!m) throw new Error(`${service} has no rpc ${name}`);
  m.resolve();
  const reqType = m.resolvedRequestType!;
  const resType = m.resolvedResponseType!;
  const toObject = (t: protobuf.Type, bytes: Uint8Array) =>
    t.toObject(t.decode(bytes), { defaults: true, arrays: true, longs: String }) as unknown;
  return {
    appId,
    method: `${service}/${name}`,
    encodeRequest: (msg) => reqType.encode(reqType.fromObject(msg as object)).finish(),
    decodeRequest: (bytes) => toObject(reqType, bytes) as Req,
    encodeResponse: (msg) => resType.encode(resType.fromObject(msg as object)).finish(),
    decodeResponse: (bytes) => toObject(resType, bytes) as Res,
  };
}

export const AuthService = {
  ValidateToken: rpc<ValidateTokenRequest, ValidateTokenResponse>('auth', 'vcd.auth.v1.AuthService', 'ValidateToken'),
};

export const UserService = {
  GetProfiles: rpc<GetProfilesRequest, GetProfilesResponse>('user', 'vcd.user.v1.UserService', 'GetProfiles'),
  ListFollowing: rpc<ListFollowingRequest, ListFollowingResponse>('user', 'vcd.user.v1.UserService', 'ListFollowing'),
};
