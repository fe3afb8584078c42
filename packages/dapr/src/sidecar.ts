import { CommunicationProtocolEnum, DaprClient, LogLevel } from '@dapr/dapr';
import { Agent, request } from 'undici';

export interface SidecarOptions {
  host: string;
  httpPort: number;
  grpcPort: number;
  /** Token the app presents to daprd (dapr-api-token). */
  apiToken: string;
  secretStore?: string;
  pubsub?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The app's view of its Dapr sidecar: secrets through the SDK's DaprClient, publishing and service
 * invocation through daprd's HTTP API on keep-alive connections.
 */
export class Sidecar {
  readonly baseUrl: string;
  readonly secretStore: string;
  readonly pubsub: string;
  private client?: DaprClient;
  private pool?: Agent;
  private readonly headers: Record<string, string>;

  constructor(readonly options: SidecarOptions) {
    this.baseUrl = `http://${options.host}:${options.httpPort}`;
    this.secretStore = options.secretStore ?? 'secretstore';
    this.pubsub = options.pubsub ?? 'pubsub';
    this.headers = { 'dapr-api-token': options.apiToken };
  }

  /** Waits until daprd's outbound side (components, secret store) is ready. */
  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = 'no answer';
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${this.baseUrl}/v1.0/healthz/outbound`, { headers: this.headers });
        if (res.status === 204 || res.ok) return;
        lastError = `HTTP ${res.status}`;
      } catch (err) {
        lastError = (err as Error).message;
      }
      await sleep(100);
    }
    throw new Error(`Dapr sidecar at ${this.baseUrl} not ready after ${timeoutMs} ms (${lastError})`);
  }

  /** daprd's own health (its /v1.0/healthz): 204 once its components are loaded and its app is reachable. */
  async health(timeoutMs = 2000): Promise<{ ok: boolean; status: number }> {
    const res = await fetch(`${this.baseUrl}/v1.0/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { ok: res.status === 204, status: res.status };
  }

  private sdk(): DaprClient {
    this.client ??= new DaprClient({
      daprHost: this.options.host,
      daprPort: String(this.options.httpPort),
      communicationProtocol: CommunicationProtocolEnum.HTTP,
      daprApiToken: this.options.apiToken,
      isKeepAlive: true,
      logger: { level: LogLevel.Error },
    });
    return this.client;
  }

  /** Reads one secret from the Dapr secret store. */
  async getSecret(key: string): Promise<string> {
    const result = (await this.sdk().secret.get(this.secretStore, key)) as Record<string, string>;
    const value = result?.[key];
    if (typeof value !== 'string' || value.length === 0) {
      throw new Error(`Secret "${key}" is missing from the Dapr secret store "${this.secretStore}"`);
    }
    return value;
  }

  /**
   * Publishes a CloudEvent we built ourselves (so its id is ours, e.g. the outbox row id), unchanged by
   * daprd (application/cloudevents+json).
   */
  async publishCloudEvent(topic: string, event: CloudEvent): Promise<void> {
    const res = await request(`${this.baseUrl}/v1.0/publish/${this.pubsub}/${encodeURIComponent(topic)}`, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(event),
      dispatcher: this.keepAlivePool(),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) {
      throw new Error(`Publishing to ${topic} failed: HTTP ${res.statusCode} ${text}`);
    }
  }

  /** Keep-alive connections to daprd's HTTP API, shared by publishing and invocation. */
  private keepAlivePool(): Agent {
    this.pool ??= new Agent({ connections: 128, keepAliveTimeout: 60_000, pipelining: 1 });
    return this.pool;
  }

  /**
   * The daprd URL that invokes `method` on `appId`. Refuses anything that a URL parser would resolve outside
   * `/v1.0/invoke/<appId>/method/` (dot-segments in any spelling, backslashes, a bad app id): callers build
   * `method` from declared templates, and this is the last check before a request reaches daprd's API.
   */
  invokeUrl(appId: string, method: string): string {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(appId)) throw new Error(`not an app id: ${JSON.stringify(appId)}`);
    const prefix = `/v1.0/invoke/${appId}/method/`;
    const url = `${this.baseUrl}${prefix}${method.replace(/^\//, '')}`;
    const pathOnly = url.slice(this.baseUrl.length).split(/[?#]/)[0]!;
    const resolved = new URL(url).pathname;
    if (resolved !== pathOnly || !resolved.startsWith(prefix) || /%2f|%5c/i.test(pathOnly)) {
      throw new Error(`refusing an invocation path that leaves ${prefix}: ${JSON.stringify(method)}`);
    }
    return url;
  }

  /** Invokes a method on another app through this sidecar (never the app's own port). */
  async invoke(
    appId: string,
    method: string,
    init: { method?: string; headers?: Record<string, string>; body?: unknown; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers, ...init.headers };
    let body: string | undefined;
    if (init.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    }
    return fetch(this.invokeUrl(appId, method), {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      signal: init.signal,
    });
  }

  /**
   * The hot path for proxies: invokes through this sidecar with undici's request API on a dedicated keep-alive
   * pool (cheaper per call than fetch), returning status, headers and the whole body.
   */
  async invokeRaw(
    appId: string,
    method: string,
    init: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number },
  ): Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    const res = await request(this.invokeUrl(appId, method), {
      method: init.method as 'GET',
      headers: { ...init.headers, ...this.headers },
      body: init.body,
      dispatcher: this.keepAlivePool(),
      headersTimeout: init.timeoutMs,
      bodyTimeout: init.timeoutMs,
      signal: AbortSignal.timeout(init.timeoutMs),
    });
    return { statusCode: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
  }

  async close(): Promise<void> {
    await this.pool?.close().catch(() => undefined);
    await this.client?.stop().catch(() => undefined);
  }
}

/** The CloudEvents 1.0 envelope we publish. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  datacontenttype: 'application/json';
  time: string;
  data: T;
  traceparent?: string;
}
