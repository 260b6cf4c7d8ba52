import type { Logger } from '@concord/log';

/** Retries `attempt` with capped backoff until it succeeds or the deadline passes. */
export async function retryUntil<T>(deadline: number, log: Logger, what: string, attempt: () => Promise<T>): Promise<T> {
  let wait = 250;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() + wait > deadline) {
        throw new Error(`gave up waiting for ${what} after ${n} attempts: ${(err as Error).message}`);
      }
      log.warn({ what, attempt: n, err: (err as Error).message }, 'dependency not ready, retrying');
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 5_000);
    }
  }
}
