import { Agent } from 'undici';

export interface SidecarOptions {
  host: string;
  httpPort: number;
  grpcPort: number;
  /** Token the app presents to daprd (dapr-api-token). */
  apiToken: string;
  secretStore?: string;
  pubsub?: string;
}

/**
 * What every building block shares: daprd's HTTP API address, the app's token, and keep-alive connections. This
 * package is the only code that knows daprd's API paths (grep for "v1.0/" finds them here and nowhere in services).
 */
export class SidecarConnection {
  readonly baseUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  private pool?: Agent;

  constructor(readonly options: SidecarOptions) {
    this.baseUrl = `http://${options.host}:${options.httpPort}`;
    this.headers = { 'dapr-api-token': options.apiToken };
  }

  /** Keep-alive connections to daprd's HTTP API, shared by publishing, invocation and bindings. */
  keepAlivePool(): Agent {
    this.pool ??= new Agent({ connections: 128, keepAliveTimeout: 60_000, pipelining: 1 });
    return this.pool;
  }

  async close(): Promise<void> {
    await this.pool?.close().catch(() => undefined);
  }
}
