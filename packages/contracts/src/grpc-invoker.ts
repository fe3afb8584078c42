import { createRequire } from 'node:module';
import { create, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { AppError } from '@vcd/errors';
import { injectTraceHeaders, inSpan, SpanKind } from '@vcd/telemetry';
import type { Rpc } from './contracts.js';

// The Dapr SDK ships the generated descriptors of Dapr's own gRPC API (protobuf-es, CommonJS).
const require = createRequire(import.meta.url);
const daprPb = require('@dapr/dapr/proto/dapr/proto/runtime/v1/dapr_pb.js') as typeof import('@dapr/dapr/proto/dapr/proto/runtime/v1/dapr_pb.js');
const commonPb = require('@dapr/dapr/proto/dapr/proto/common/v1/common_pb.js') as typeof import('@dapr/dapr/proto/dapr/proto/common/v1/common_pb.js');

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

/**
 * Calls our gRPC contracts through the local daprd's gRPC API (Dapr InvokeService): the request travels
 * sidecar to sidecar over Dapr's internal gRPC, and the target sidecar hands the protobuf body to its app
 * as POST /<package.Service>/<Rpc>. One HTTP/2 connection to daprd, reused for every call.
 */
export class DaprGrpcInvoker {
  private readonly client: Client<typeof daprPb.Dapr>;

  constructor(options: { host: string; grpcPort: number; apiToken: string }) {
    const transport = createGrpcTransport({
      baseUrl: `http://${options.host}:${options.grpcPort}`,
      interceptors: [
        (next) => async (req) => {
          req.header.set('dapr-api-token', options.apiToken);
          // HTTP/2 is not instrumented: the trace context goes along by hand, and daprd continues it.
          injectTraceHeaders((name, value) => req.header.set(name, value));
          return next(req);
        },
      ],
    });
    this.client = createClient(daprPb.Dapr, transport);
  }

  /** Calls `rpc` (e.g. `UserService.GetProfiles`) with a request message or its init shape (plain fields). */
  async call<I extends DescMessage, O extends DescMessage>(
    rpc: Rpc<I, O>,
    request: MessageInitShape<I>,
    options: { timeoutMs?: number; headers?: Record<string, string> } = {},
  ): Promise<MessageShape<O>> {
    const message = create(commonPb.InvokeRequestSchema, {
      method: rpc.method,
      data: create(AnySchema, { value: rpc.encodeRequest(request) }),
      contentType: PROTOBUF_CONTENT_TYPE,
      httpExtension: create(commonPb.HTTPExtensionSchema, { verb: commonPb.HTTPExtension_Verb.POST }),
    });
    const attributes = { 'rpc.system': 'grpc', 'rpc.method': rpc.method, 'peer.service': rpc.appId };
    return inSpan(`invoke ${rpc.appId} ${rpc.method}`, { kind: SpanKind.CLIENT, attributes }, async () => {
      try {
        const res = await this.client.invokeService(create(daprPb.InvokeServiceRequestSchema, { id: rpc.appId, message }), {
          timeoutMs: options.timeoutMs ?? 3_000,
          headers: options.headers,
        });
        return rpc.decodeResponse(res.data?.value ?? new Uint8Array());
      } catch (err) {
        throw upstreamError(rpc.method, err);
      }
    });
  }
}

/**
 * A failed call as a typed error: the deadline passed (504); the app answered with an HTTP error, which daprd
 * reports as a gRPC error carrying `dapr-http-status` (502, the status kept in the message);
 * anything else means the target could not be reached (503, worth retrying).
 */
function upstreamError(method: string, err: unknown): AppError {
  const connect = err instanceof ConnectError ? err : undefined;
  const message = connect ? connect.rawMessage : (err as Error)?.message;
  if (connect?.code === Code.DeadlineExceeded) return new AppError('UPSTREAM_TIMEOUT', 504, `${method} timed out: ${message}`, { cause: err });
  const httpStatus = Number(connect?.metadata.get('dapr-http-status'));
  if (Number.isInteger(httpStatus) && httpStatus >= 400) {
    return new AppError('UPSTREAM_FAILED', 502, `${method} answered HTTP ${httpStatus}: ${message}`, { cause: err });
  }
  return new AppError('UPSTREAM_UNAVAILABLE', 503, `${method} failed: ${message}`, { cause: err });
}
