import { invokeBinding } from './bindings.js';
import { SidecarConnection, type SidecarOptions } from './connection.js';
import { sidecarHealth, waitUntilReady } from './health.js';
import { invoke, invokeRaw, invokeUrl } from './invocation.js';
import { publishCloudEvent, type CloudEvent } from './pubsub.js';
import { SecretStore } from './secrets.js';

export type { SidecarOptions } from './connection.js';
export type { CloudEvent } from './pubsub.js';

/**
 * The app's view of its Dapr sidecar, one method per use, each implemented in the file of its building block:
 * invocation.ts (service invocation), pubsub.ts (publishing; subscriptions.ts for deliveries), bindings.ts,
 * secrets.ts (through the SDK), health.ts. The gRPC building block (invocation over daprd's gRPC port) is in
 * @vcd/contracts, beside the contracts it carries.
 */
export class Sidecar {
  readonly baseUrl: string;
  readonly secretStore: string;
  readonly pubsub: string;
  private readonly connection: SidecarConnection;
  private readonly secrets: SecretStore;

  constructor(readonly options: SidecarOptions) {
    this.connection = new SidecarConnection(options);
    this.baseUrl = this.connection.baseUrl;
    this.secretStore = options.secretStore ?? 'secretstore';
    this.pubsub = options.pubsub ?? 'pubsub';
    this.secrets = new SecretStore(this.connection, this.secretStore);
  }

  waitUntilReady(timeoutMs?: number): Promise<void> {
    return waitUntilReady(this.connection, timeoutMs);
  }

  health(timeoutMs?: number): Promise<{ ok: boolean; status: number }> {
    return sidecarHealth(this.connection, timeoutMs);
  }

  getSecret(key: string): Promise<string> {
    return this.secrets.get(key);
  }

  publishCloudEvent(topic: string, event: CloudEvent): Promise<void> {
    return publishCloudEvent(this.connection, this.pubsub, topic, event);
  }

  invokeBinding(name: string, input: { operation: string; data: unknown; metadata?: Record<string, string> }, timeoutMs?: number): Promise<void> {
    return invokeBinding(this.connection, name, input, timeoutMs);
  }

  invokeUrl(appId: string, method: string): string {
    return invokeUrl(this.connection, appId, method);
  }

  invoke(appId: string, method: string, init?: Parameters<typeof invoke>[3]): Promise<Response> {
    return invoke(this.connection, appId, method, init);
  }

  invokeRaw(appId: string, method: string, init: Parameters<typeof invokeRaw>[3]): ReturnType<typeof invokeRaw> {
    return invokeRaw(this.connection, appId, method, init);
  }

  async close(): Promise<void> {
    await this.connection.close();
    await this.secrets.close();
  }
}
