import { backoffMs, sleep } from '@concord/bus';
import type { Logger } from '@concord/log';

/** Retries `attempt` with capped backoff until it succeeds or the deadline passes. */
export async function retryUntil<T>(deadline: number, log: Logger, what: string, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    const wait = backoffMs({ firstMs: 250, maxMs: 5_000 }, n);
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() + wait > deadline) {
        throw new Error(`gave up waiting for ${what} after ${n} attempts: ${(err as Error).message}`);
      }
      log.warn({ what, attempt: n, err: (err as Error).message }, 'dependency not ready, retrying');
      await sleep(wait);
    }
  }
}
