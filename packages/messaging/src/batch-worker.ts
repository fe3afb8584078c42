/**
 * A worker that drains a queue in batches: `notify()` after a commit that queued work runs it at once, a poll
 * every `pollMs` catches retries and anything a crash left behind, and at most one drain runs at a time (a
 * notify during a drain schedules one more). Subclasses say how one batch is processed.
 */
export abstract class BatchWorker {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();

  protected constructor(
    private readonly pollMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Processes one batch; returns how many items it completed (0 stops this drain). */
  protected abstract processBatch(): Promise<number>;

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.notify();
      this.timer = setTimeout(tick, this.pollMs);
      this.timer.unref();
    };
    tick();
  }

  notify(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.idle = this.drain().finally(() => {
      this.running = false;
      if (this.again && !this.stopped) {
        this.again = false;
        this.notify();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle;
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.processBatch()) > 0) {
        /* keep going while there is work */
      }
    } catch (err) {
      this.onError(err);
    }
  }
}
