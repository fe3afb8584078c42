import { CommunicationProtocolEnum, DaprClient, LogLevel } from '@dapr/dapr';
import type { SidecarConnection } from './connection.js';

/** Secrets through the Dapr SDK's client (the building block the SDK does well; one client per app). */
export class SecretStore {
  private client?: DaprClient;

  constructor(
    private readonly c: SidecarConnection,
    readonly name: string,
  ) {}

  /** Reads one secret; a missing or empty one is an error that names it. */
  async get(key: string): Promise<string> {
    this.client ??= new DaprClient({
      daprHost: this.c.options.host,
      daprPort: String(this.c.options.httpPort),
      communicationProtocol: CommunicationProtocolEnum.HTTP,
      daprApiToken: this.c.options.apiToken,
      isKeepAlive: true,
      logger: { level: LogLevel.Error },
    });
    const result = (await this.client.secret.get(this.name, key)) as Record<string, string>;
    const value = result?.[key];
    if (typeof value !== 'string' || value.length === 0) throw new Error(`Secret "${key}" is missing from the Dapr secret store "${this.name}"`);
    return value;
  }

  async close(): Promise<void> {
    await this.client?.stop().catch(() => undefined);
  }
}
