import argon2 from 'argon2';
import { observedGauge } from '@vcd/telemetry';

export interface Argon2Params {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
  maxConcurrency: number;
}

/**
 * argon2id hashing with explicit parameters and a bound on concurrent computations, so a burst of logins
 * queues instead of starving the event loop's thread pool and memory.
 */
export class PasswordHasher {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** A hash of a random password, verified against when the account does not exist (same cost, no enumeration). */
  private dummy?: Promise<string>;

  constructor(private readonly params: Argon2Params) {
    // Read at each scrape: hashes computing now and requests queued behind the concurrency bound.
    observedGauge('argon2_hashes_in_progress', 'argon2id computations running now', [], (set) => set({}, this.active));
    observedGauge('argon2_queue_length', 'argon2id computations waiting for a free slot', [], (set) => set({}, this.waiting.length));
  }

  private async limit<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.params.maxConcurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  hash(password: string): Promise<string> {
    return this.limit(() =>
      argon2.hash(password, {
        type: argon2.argon2id,
        memoryCost: this.params.memoryKiB,
        timeCost: this.params.timeCost,
        parallelism: this.params.parallelism,
      }),
    );
  }

  /** Verifies `password` against `hash`; with no hash it still spends one verification and answers false. */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    const target = hash ?? (await (this.dummy ??= this.hash(`dummy-${Math.random()}`)));
    const ok = await this.limit(() => argon2.verify(target, password).catch(() => false));
    return hash !== undefined && ok;
  }
}
