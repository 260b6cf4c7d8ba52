import type { DeliveryOutcome } from './transport';

/**
 * What an app server's HTTP answer means for a notification: 2xx delivered; 408, 429 and 5xx
 * are worth a retry (honouring Retry-After); 404 and 410 say the node is gone and any other 4xx
 * refuses for good, so the registration is disabled; anything else (1xx, an unfollowed 3xx) is
 * retried, as a misconfiguration the operator can fix.
 */
export function classifyHttpStatus(status: number, retryAfter?: string | null, now = Date.now()): DeliveryOutcome {
  const detail = `HTTP ${status}`;
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 408 || status === 429 || status >= 500) {
    const after = parseRetryAfter(retryAfter, now);
    return after === undefined ? { kind: 'transient', detail } : { kind: 'transient', detail, retryAfterMs: after };
  }
  if (status === 404 || status === 410) return { kind: 'permanent', reason: 'gone', detail };
  if (status >= 400 && status < 500) return { kind: 'permanent', reason: 'rejected', detail };
  return { kind: 'transient', detail: `${detail} (unexpected; redirects are not followed)` };
}

/** A request that got no HTTP answer (timeout, refused connection, TLS failure) is retried. */
export function classifyRequestError(err: unknown): DeliveryOutcome {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { kind: 'transient', detail: 'timed out' };
  return { kind: 'transient', detail: e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err) };
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
