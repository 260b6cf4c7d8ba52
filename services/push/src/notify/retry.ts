/**
 * Delay before delivery `deliveryCount + 1` of a push request whose notification could not be
 * delivered: exponential from `baseMs`, capped at `maxMs`, and never sooner than the app server
 * asked (Retry-After), within the same cap.
 */
export function retryDelay(deliveryCount: number, baseMs: number, maxMs: number, retryAfterMs?: number): number {
  const exponential = baseMs * 2 ** Math.min(Math.max(deliveryCount - 1, 0), 30);
  return Math.min(maxMs, Math.max(exponential, retryAfterMs ?? 0));
}
