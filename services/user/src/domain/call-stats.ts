/** In-memory counters by name and key (e.g. rpc → caller app id → calls), for GET /internal/stats. */
export class Counters {
  private readonly counts = new Map<string, Map<string, number>>();

  add(name: string, key: string, by = 1): void {
    let inner = this.counts.get(name);
    if (!inner) this.counts.set(name, (inner = new Map()));
    inner.set(key, (inner.get(key) ?? 0) + by);
  }

  snapshot(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.counts].map(([name, inner]) => [name, Object.fromEntries(inner)]));
  }
}

/** What the service counts: gRPC calls per rpc and caller, event deliveries per topic and outcome. */
export interface ServiceStats {
  rpc: Counters;
  events: Counters;
}

export const newServiceStats = (): ServiceStats => ({ rpc: new Counters(), events: new Counters() });
