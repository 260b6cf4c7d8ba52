import type { KV } from '@nats-io/kv';

/**
 * How far a watched copy of a KV bucket has got: the newest revision applied from its watch,
 * and waits for the copy to reach the bucket's head (every write the bucket had when asked).
 */
export class WatchedHead {
  private applied = 0;
  private waiters: { seq: number; resolve: () => void }[] = [];

  constructor(private readonly kv: KV) {}

  /** Called for every entry the watch delivers. */
  advance(revision: number): void {
    this.applied = Math.max(this.applied, revision);
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((x) => x.seq <= this.applied);
    this.waiters = this.waiters.filter((x) => x.seq > this.applied);
    for (const x of ready) x.resolve();
  }

  /**
   * Resolves once the copy holds every write the bucket had when this was called (one
   * stream-info round trip); rejects after `timeoutMs`, which only bounds a stalled watcher.
   */
  async reach(timeoutMs: number, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not catch up with its bucket in time`)), timeoutMs);
    });
    try {
      await Promise.race([(async () => {
        const { last_seq: head, messages } = (await this.kv.status()).streamInfo.state;
        // With no messages left, the newest one expired too: there is nothing to wait for.
        if (messages > 0 && head > this.applied) await new Promise<void>((resolve) => this.waiters.push({ seq: head, resolve }));
      })(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
