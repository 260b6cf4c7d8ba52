/** Cassandra refuses a TTL above 20 years. */
export const MAX_TTL_SECONDS = 630_720_000;

/** The longest retention a TTL can express. */
export const MAX_RETENTION_MS = MAX_TTL_SECONDS * 1000;

/**
 * How long archived rows live, counted from their message's time, not from the write: a row
 * written late (a lagging archive, a rebuild) expires at the same moment as one written at once.
 */
export interface Retention {
  /** 0: rows are kept forever. */
  readonly retentionMs: number;
  /** The clock the remaining time is measured against. */
  now(): number;
}

export const KEEP_FOREVER: Retention = { retentionMs: 0, now: Date.now };

export function retentionOf(retentionMs: number, now: () => number = Date.now): Retention {
  return { retentionMs, now };
}

/**
 * The Cassandra TTL (seconds) of a row whose message is dated `timestampMs`: 0 means no TTL
 * (retention off, as in CQL's `USING TTL 0`), undefined means the row has expired already and
 * must not be written at all (a TTL of 0 would keep it forever). Rounded up, so a row never
 * expires before its time; capped at Cassandra's maximum (a message dated in the future).
 */
export function ttlSeconds(timestampMs: number, r: Retention): number | undefined {
  if (r.retentionMs <= 0) return 0;
  const left = Math.ceil((timestampMs + r.retentionMs - r.now()) / 1000);
  if (left <= 0) return undefined;
  return Math.min(left, MAX_TTL_SECONDS);
}
