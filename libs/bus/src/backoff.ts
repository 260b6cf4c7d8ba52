/**
 * The one way Concord waits between attempts: the first wait, doubled after each failed attempt,
 * at most a ceiling. Loops that retry (writes, polls, reconnections) take their waits from here.
 */
export interface Backoff {
  /** The wait after the first failed attempt. */
  firstMs: number;
  /** No wait is longer (Infinity: no ceiling). */
  maxMs: number;
}

/** The wait after failed attempt `n` (1-based): firstMs · 2^(n−1), at most maxMs. */
export function backoffMs(b: Backoff, n: number): number {
  return Math.min(b.maxMs, b.firstMs * 2 ** Math.max(0, n - 1));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
