import type { Logger } from '@vcd/logging';
import type { UnitOfWork } from '@vcd/messaging';
import type { PublicPageCache } from '../domain/public-page-cache.js';
import { publishDuePosts } from '../usecases/publish-due-posts.js';

/**
 * Publishes scheduled articles when their time has come (ADR 5): a poller over the article table. Each tick runs
 * the publish-due-posts use case (a unit of work on a fresh EntityManager, which wakes the relay after commit)
 * batch after batch until nothing is due.
 */
export class PostScheduler {
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: { uow: UnitOfWork; logger: Logger; publicPages: PublicPageCache },
    private readonly options: { pollMs: number; batchSize?: number },
  ) {}

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.idle = this.runOnce()
        .then(() => undefined)
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'post scheduler: tick failed, will retry'))
        .finally(() => {
          if (this.stopped) return;
          this.timer = setTimeout(tick, this.options.pollMs);
          this.timer.unref();
        });
    };
    tick();
  }

  /** Publishes every due article (in batches); returns how many went live. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await publishDuePosts(this.deps, this.options.batchSize ?? 50);
      if (published === 0) break;
      total += published;
      this.deps.logger.info({ published }, 'post scheduler: published due articles');
    }
    return total;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle;
  }
}
