const MAX_FAILURES_KEPT = 10_000;

/**
 * The committed watermark: every history event up to `position` (a stream sequence) is
 * written. Readers that must not miss anything wait for it to reach a position. Events are
 * written concurrently across account partitions, so single positions above the watermark can
 * be written already: `written()` waits for one of them.
 */
export class Watermark {
  private value = 0;
  private readonly waiters: { position: number; single: boolean; resolve: () => void }[] = [];
  /** Written above the watermark; dropped once the watermark passes them. */
  private readonly above = new Set<number>();
  private readonly listeners = new Set<(position: number) => void>();
  /** Events given up on (not stored), with the archive-failed reason, until their sender's copy asks. */
  private readonly failed = new Map<number, string>();

  get position(): number {
    return this.value;
  }

  advance(position: number): void {
    if (position <= this.value) return;
    this.value = position;
    for (const p of this.above) if (p <= position) this.above.delete(p);
    for (const l of [...this.listeners]) l(position);
    this.wake();
  }

  /** Calls `listener` with the new position on every advance (live readers); returns the unsubscribe. */
  onAdvance(listener: (position: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One event is written (the watermark follows once everything before it is too). */
  markWritten(position: number): void {
    if (position <= this.value) return;
    this.above.add(position);
    this.wake();
  }

  /**
   * The event at `position` was given up on: it counts as handled (the watermark may pass it),
   * and the copy that depends on it learns why through `takeFailure`.
   */
  markFailed(position: number, reason: string): void {
    this.failed.set(position, reason);
    // Only a sender's copy handled by this process reads it; bound what nobody asks for.
    if (this.failed.size > MAX_FAILURES_KEPT) this.failed.delete(this.failed.keys().next().value!);
  }

  /** Why the event at `position` was given up on, if it was (asked once, by the copy depending on it). */
  takeFailure(position: number): string | undefined {
    const reason = this.failed.get(position);
    this.failed.delete(position);
    return reason;
  }

  /** Resolves when the watermark reaches `position`, or after `timeoutMs` whatever it is. */
  reached(position: number, timeoutMs: number): Promise<void> {
    return this.wait(position, false, timeoutMs);
  }

  /** Resolves when the event at `position` is written (or the watermark passed it); false after `timeoutMs`. */
  async written(position: number, timeoutMs: number): Promise<boolean> {
    await this.wait(position, true, timeoutMs);
    return this.isWritten(position);
  }

  private isWritten(position: number): boolean {
    return position <= this.value || this.above.has(position);
  }

  private wait(position: number, single: boolean, timeoutMs: number): Promise<void> {
    if (single ? this.isWritten(position) : position <= this.value) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        position,
        single,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve();
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private wake(): void {
    for (const w of this.waiters.filter((x) => (x.single ? this.isWritten(x.position) : x.position <= this.value))) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }
}
