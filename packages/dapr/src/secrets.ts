import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SidecarConnection } from './connection.js';

const require = createRequire(import.meta.url);
/** The Dapr SDK's entry point, resolved here and loaded only by the reader thread. */
const sdkPath = require.resolve('@dapr/dapr');

/**
 * The reader thread: the SDK's client, answering one message per secret. Plain CommonJS evaluated as is (no loader,
 * no telemetry hooks: `execArgv: []`), so it runs the same from TypeScript sources and from compiled images.
 */
const READER = `
const { parentPort, workerData } = require('node:worker_threads');
const { CommunicationProtocolEnum, DaprClient, LogLevel } = require(workerData.sdkPath);
const client = new DaprClient({
  daprHost: workerData.host,
  daprPort: workerData.port,
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  daprApiToken: workerData.apiToken,
  isKeepAlive: true,
  logger: { level: LogLevel.Error },
});
parentPort.on('message', async ({ id, store, key }) => {
  try {
    const result = await client.secret.get(store, key);
    parentPort.postMessage({ id, value: result && typeof result === 'object' ? result[key] : undefined });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

/** How long the reader thread stays after its last answer (secrets are read at start-up, often one after another). */
const IDLE_MS = 1000;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/**
 * Secrets through the Dapr SDK's client, in a thread of their own that ends once no secret is being read. Secrets are
 * read at start-up only, and the SDK's client loads 581 modules (express, grpc-js, its workflow client, a Temporal
 * polyfill: about 30 MiB resident in an app that kept them; ADR 20): the thread takes them away when it ends.
 */
export class SecretStore {
  private reader?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idle?: NodeJS.Timeout;

  constructor(
    private readonly c: SidecarConnection,
    readonly name: string,
  ) {}

  /** Reads one secret; a missing or empty one is an error that names it. */
  async get(key: string): Promise<string> {
    const value = await this.ask(key);
    if (typeof value !== 'string' || value.length === 0) throw new Error(`Secret "${key}" is missing from the Dapr secret store "${this.name}"`);
    return value;
  }

  async close(): Promise<void> {
    clearTimeout(this.idle);
    const reader = this.reader;
    this.reader = undefined;
    await reader?.terminate();
  }

  private ask(key: string): Promise<unknown> {
    clearTimeout(this.idle);
    const reader = (this.reader ??= this.startReader());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      reader.postMessage({ id, store: this.name, key });
    });
  }

  private startReader(): Worker {
    const o = this.c.options;
    const reader = new Worker(READER, { eval: true, execArgv: [], workerData: { sdkPath, host: o.host, port: String(o.httpPort), apiToken: o.apiToken } });
    reader.on('message', (m: { id: number; value?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.value);
      if (this.pending.size === 0) this.stopWhenIdle(reader);
    });
    const fail = (err: Error) => {
      if (this.reader === reader) this.reader = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    reader.on('error', fail);
    reader.on('exit', (code) => fail(new Error(`the secret reader thread ended (exit code ${code})`)));
    return reader;
  }

  private stopWhenIdle(reader: Worker): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.pending.size > 0 || this.reader !== reader) return;
      this.reader = undefined;
      void reader.terminate();
    }, IDLE_MS);
    this.idle.unref();
  }
}
