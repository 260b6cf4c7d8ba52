/**
 * Runs tasks concurrently across keys and strictly in order within one key, with at most
 * `maxInFlight` in hand. A replay of the history stream (a rebuild, a repair) keys events
 * by account: one account's events depend on each other (a retraction on its message), different accounts' never do.
 *
 * The first failure stops the lanes: tasks not started yet are skipped (a later event of the
 * same account must not be applied without the earlier one), and push() and drain() throw it.
 */
export class Lanes {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly maxInFlight: number) {}

  /** Queues `task` behind the key's earlier tasks; waits while the lanes are full. */
  async push(key: string, task: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    const run = async () => {
      if (this.failure) return;
      try {
        await task();
      } catch (error) {
        this.failure ??= { error };
      }
    };
    const p = (this.tails.get(key) ?? Promise.resolve()).then(run);
    this.tails.set(key, p);
    this.running.add(p);
    void p.then(() => {
      this.running.delete(p);
      if (this.tails.get(key) === p) this.tails.delete(key);
    });
    while (this.running.size >= this.maxInFlight) await Promise.race(this.running);
  }

  /** Resolves when every queued task has run. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
