import { backoffMs } from '@concord/bus';

/**
 * Delay before delivery `deliveryCount + 1` of a push request whose notification could not be
 * delivered: exponential from `baseMs`, capped at `maxMs`, and never sooner than the app server
 * asked (Retry-After), within the same cap.
 */
export function retryDelay(deliveryCount: number, baseMs: number, maxMs: number, retryAfterMs?: number): number {
  return Math.min(maxMs, Math.max(backoffMs({ firstMs: baseMs, maxMs }, deliveryCount), retryAfterMs ?? 0));
}
