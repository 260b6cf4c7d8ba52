/**
 * The committed watermark: every history event up to `position` (a stream sequence) is
 * written. Readers that must not miss anything wait for it to reach a position.
 */
export class Watermark {
  private value = 0;
  private readonly waiters: { position: number; resolve: () => void }[] = [];

  get position(): number {
    return this.value;
  }

  advance(position: number): void {
    if (position <= this.value) return;
    this.value = position;
    for (const w of this.waiters.filter((x) => x.position <= position)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  /** Resolves when the watermark reaches `position`, or after `timeoutMs` whatever it is. */
  reached(position: number, timeoutMs: number): Promise<void> {
    if (position <= this.value) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        position,
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
}
