import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '@vcd/errors';
import type { Rpc } from './contracts.js';
import { PROTOBUF_CONTENT_TYPE } from './grpc-invoker.js';

/** How an app serves one rpc: the decoded request in, the response (a message or its init shape) out. */
export interface RpcHandler<I extends DescMessage = DescMessage, O extends DescMessage = DescMessage> {
  rpc: Rpc<I, O>;
  /** `caller` is the Dapr app id of the calling service. */
  handle: (request: MessageShape<I>, caller: string, ctx: Context) => Promise<MessageInitShape<O>>;
  /** App ids allowed to call this rpc (default: any service). */
  callers?: string[];
}

/** An RpcHandler with its message types taken from the rpc (`serveRpc(UserService.GetProfiles, async (req) => …)`). */
export function serveRpc<I extends DescMessage, O extends DescMessage>(
  rpc: Rpc<I, O>,
  handle: RpcHandler<I, O>['handle'],
  options: { callers?: string[] } = {},
): RpcHandler<I, O> {
  return { rpc, handle, ...options };
}

/** Largest request body accepted (protobuf requests of our contracts are small). */
export const MAX_RPC_REQUEST_BYTES = 1024 * 1024;

/**
 * Serves gRPC contracts as daprd delivers them to an HTTP app: POST /<package.Service>/<Rpc> with a protobuf
 * body. Only calls that came through Dapr (a caller app id and, checked by the service app, its app token).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler has its own message types
export function rpcRouter(handlers: RpcHandler<any, any>[]): Router {
  const router = new Router();
  for (const h of handlers) {
    router.post(`/${h.rpc.method}`, async (ctx) => {
      const caller = ctx.get('dapr-caller-app-id');
      if (!caller) throw new AppError('INTERNAL_ONLY', 403, 'Only other services may call this');
      if (h.callers && !h.callers.includes(caller)) throw new AppError('CALLER_NOT_ALLOWED', 403, `${caller} may not call ${h.rpc.method}`);
      const body = await readBody(ctx, MAX_RPC_REQUEST_BYTES);
      let request: MessageShape<DescMessage>;
      try {
        request = h.rpc.decodeRequest(body);
      } catch {
        throw new AppError('INVALID_PROTOBUF', 400, `Body is not a valid ${h.rpc.method} request`);
      }
      const response = await h.handle(request, caller, ctx);
      ctx.type = PROTOBUF_CONTENT_TYPE;
      ctx.body = Buffer.from(h.rpc.encodeResponse(response));
    });
  }
  return router;
}

async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', 413, `Request body exceeds ${limit} bytes`);
  if (Number(ctx.get('content-length') || 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
