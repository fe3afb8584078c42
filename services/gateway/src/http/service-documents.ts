import type { OpenAPIObject } from 'openapi3-ts/oas31';
import type { Sidecar } from '@vcd/dapr';
import type { Logger } from '@vcd/logging';
import { DOWNSTREAM_APPS, RouteTable, routesFromOpenApi, type DownstreamApp } from '../domain/route-table.js';

/**
 * Each service's own OpenAPI document, fetched through Dapr: the source of the aggregated docs and of the only
 * routes the gateway forwards. A service whose document could not be fetched is asked again on demand, at most
 * once per `retryMs`; loaded documents are refreshed every `refreshMs`, so a redeployed service's new routes
 * appear without restarting the gateway.
 */
export class ServiceDocuments {
  private readonly docs = new Map<DownstreamApp, { doc: OpenAPIObject; at: number }>();
  private readonly lastTry = new Map<DownstreamApp, number>();
  private readonly inflight = new Map<DownstreamApp, Promise<void>>();
  private readonly failing = new Set<DownstreamApp>();
  private table = new RouteTable([]);
  private version = 0;

  constructor(
    private readonly sidecar: Sidecar,
    private readonly logger: Logger,
    private readonly options: { retryMs?: number; refreshMs?: number; timeoutMs?: number } = {},
  ) {}

  /**
   * Fetches every document now (start-up), then keeps asking for missing ones every `retryMs` in the
   * background until all are loaded (services may start after the gateway); requests also ask on demand.
   */
  async loadAll(): Promise<void> {
    await Promise.all(DOWNSTREAM_APPS.map((app) => this.load(app)));
    const retry = () => {
      const missing = DOWNSTREAM_APPS.filter((a) => !this.docs.has(a));
      if (missing.length === 0) return;
      void Promise.all(missing.map((app) => this.load(app))).finally(() => setTimeout(retry, this.options.retryMs ?? 500).unref());
    };
    setTimeout(retry, this.options.retryMs ?? 500).unref();
  }

  /** Whether every service's routes are known (part of the gateway's readiness). */
  async allLoaded(): Promise<boolean> {
    await this.freshen();
    return DOWNSTREAM_APPS.every((a) => this.docs.has(a));
  }

  /** The documents known now, loading missing or stale ones first (bounded by retryMs). */
  async current(): Promise<{ docs: Map<DownstreamApp, OpenAPIObject>; missing: DownstreamApp[]; version: number }> {
    await this.freshen();
    const docs = new Map([...this.docs].map(([app, d]) => [app, d.doc] as const));
    return { docs, missing: DOWNSTREAM_APPS.filter((a) => !this.docs.has(a)), version: this.version };
  }

  /** The route table of every loaded document; whether `app`'s document is loaded. */
  async routes(): Promise<RouteTable> {
    await this.freshen();
    return this.table;
  }

  isLoaded(app: DownstreamApp): boolean {
    return this.docs.has(app);
  }

  private async freshen(): Promise<void> {
    const now = Date.now();
    const due = DOWNSTREAM_APPS.filter((app) => {
      const have = this.docs.get(app);
      if (have) return now - have.at > (this.options.refreshMs ?? 60_000) && now - (this.lastTry.get(app) ?? 0) > (this.options.retryMs ?? 500);
      return this.inflight.has(app) || now - (this.lastTry.get(app) ?? 0) > (this.options.retryMs ?? 500) / 2;
    });
    if (due.length === 0) return;
    const loads = due.map((app) => this.load(app));
    // A stale document keeps serving while its refresh runs; a missing one is waited for.
    await Promise.all(loads.filter((_, i) => !this.docs.has(due[i]!)));
  }

  private load(app: DownstreamApp): Promise<void> {
    let pending = this.inflight.get(app);
    if (pending) return pending;
    this.lastTry.set(app, Date.now());
    pending = (async () => {
      try {
        const res = await this.sidecar.invoke(app, 'openapi.json', { signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000) });
        if (!res.ok) throw new Error(`answered ${res.status}`);
        const doc = (await res.json()) as OpenAPIObject;
        this.docs.set(app, { doc, at: Date.now() });
        this.failing.delete(app);
        this.rebuild();
      } catch (err) {
        // Once per outage at warn (services often start after the gateway); the retries at debug.
        const level = this.failing.has(app) ? 'debug' : 'warn';
        this.failing.add(app);
        this.logger[level]({ app, err: (err as Error).message }, 'service document not loaded; its routes answer 503 until it is');
      } finally {
        this.inflight.delete(app);
      }
    })();
    this.inflight.set(app, pending);
    return pending;
  }

  private rebuild(): void {
    const declared = [...this.docs].flatMap(([app, d]) => routesFromOpenApi(app, d.doc as { paths?: Record<string, Record<string, unknown>> }));
    this.table = new RouteTable(declared);
    this.version++;
  }
}
