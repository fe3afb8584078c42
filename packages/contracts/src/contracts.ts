import { create, fromBinary, toBinary, type DescMessage, type DescMethodUnary, type DescService, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { AuthService as AuthServiceDesc } from './gen/auth/v1/auth_pb.js';
import { UserService as UserServiceDesc } from './gen/user/v1/user_pb.js';

// The messages' types and schemas, generated from proto/ by protoc-gen-es (`npm run contracts:gen`,
// docs/adr/0017-generated-grpc-contracts.md). A message is a plain object with a `$typeName`; anything that takes
// one also takes its init shape (the same fields, all optional, no `$typeName`).
export { ValidateTokenRequestSchema, ValidateTokenResponseSchema, type ValidateTokenRequest, type ValidateTokenResponse } from './gen/auth/v1/auth_pb.js';
export {
  GetProfilesRequestSchema,
  GetProfilesResponseSchema,
  ListFollowingRequestSchema,
  ListFollowingResponseSchema,
  ProfileSchema,
  type GetProfilesRequest,
  type GetProfilesResponse,
  type ListFollowingRequest,
  type ListFollowingResponse,
  type Profile,
} from './gen/user/v1/user_pb.js';

/**
 * One RPC as it travels through Dapr: the app that serves it, its method name as Dapr carries it
 * (`<package.Service>/<Rpc>`), its generated descriptor, and the codecs of both messages.
 */
export interface Rpc<I extends DescMessage = DescMessage, O extends DescMessage = DescMessage> {
  appId: string;
  method: string;
  desc: DescMethodUnary<I, O>;
  encodeRequest(msg: MessageInitShape<I>): Uint8Array;
  decodeRequest(bytes: Uint8Array): MessageShape<I>;
  encodeResponse(msg: MessageInitShape<O>): Uint8Array;
  decodeResponse(bytes: Uint8Array): MessageShape<O>;
}

function rpc<I extends DescMessage, O extends DescMessage>(appId: string, desc: DescMethodUnary<I, O>): Rpc<I, O> {
  const encode = <D extends DescMessage>(schema: D, msg: MessageInitShape<D>) => toBinary(schema, create(schema, msg));
  return {
    appId,
    method: `${desc.parent.typeName}/${desc.name}`,
    desc,
    encodeRequest: (msg) => encode(desc.input, msg),
    decodeRequest: (bytes) => fromBinary(desc.input, bytes),
    encodeResponse: (msg) => encode(desc.output, msg),
    decodeResponse: (bytes) => fromBinary(desc.output, bytes),
  };
}

/** The unary rpcs of a generated service, keyed by their proto names (`GetProfiles`), served by `appId`. */
type Rpcs<S extends DescService> = {
  [K in keyof S['method'] as Capitalize<K & string>]: S['method'][K] extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage } ? Rpc<I, O> : never;
};

function rpcsOf<S extends DescService>(appId: string, service: S): Rpcs<S> {
  const out: Record<string, Rpc> = {};
  for (const m of service.methods) {
    if (m.methodKind !== 'unary') throw new Error(`${service.typeName}/${m.name}: only unary rpcs travel through Dapr's InvokeService`);
    out[m.name] = rpc(appId, m as DescMethodUnary);
  }
  return out as Rpcs<S>;
}

/** vcd.auth.v1.AuthService, served by the auth app. */
export const AuthService = rpcsOf('auth', AuthServiceDesc);

/** vcd.user.v1.UserService, served by the user app. */
export const UserService = rpcsOf('user', UserServiceDesc);
