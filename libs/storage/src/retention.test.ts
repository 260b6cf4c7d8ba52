import { bucketOf, bucketTtlSeconds, BUCKET_MS } from './archive';
import { MAX_TTL_SECONDS, retentionOf, ttlSeconds } from './retention';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
const clock = (retentionMs: number, now = NOW) => retentionOf(retentionMs, () => now);

describe('archive row TTL', () => {
  it.each([
    ['retention off: no TTL (CQL TTL 0)', 0, NOW - 400 * DAY, 0],
    ['a message written as it arrives lives the whole retention', 30 * DAY, NOW, 30 * 86_400],
    ['a message written late lives only what is left of it', 30 * DAY, NOW - 10 * DAY, 20 * 86_400],
    ['what is left is rounded up, never down', 30 * DAY, NOW - 30 * DAY + 1, 1],
    ['a message exactly as old as the retention has expired', 30 * DAY, NOW - 30 * DAY, undefined],
    ['an older one too: not written at all (TTL 0 would keep it forever)', 30 * DAY, NOW - 31 * DAY, undefined],
    ['a message dated in the future is capped at Cassandra\'s maximum', 20 * 365 * DAY, NOW + 10 * DAY, MAX_TTL_SECONDS],
  ])('%s', (_what, retentionMs, timestampMs, expected) => {
    expect(ttlSeconds(timestampMs, clock(retentionMs))).toBe(expected);
  });

  it('expires a row at the same moment whenever it is written (a replay)', () => {
    const ts = NOW - 5 * DAY;
    for (const writtenAt of [NOW, NOW + DAY, NOW + 20 * DAY + 500]) {
      const ttl = ttlSeconds(ts, clock(30 * DAY, writtenAt))!;
      expect(Math.abs(writtenAt + ttl * 1000 - (ts + 30 * DAY))).toBeLessThan(1000);
    }
  });

  it('keeps a bucket entry as long as the last row its bucket can hold', () => {
    const r = clock(30 * DAY);
    const ts = NOW - 2 * DAY;
    const bucket = bucketOf(ts);
    const lastOfBucket = (bucket + 1) * BUCKET_MS - 1;
    expect(bucketTtlSeconds(bucket, r)).toBe(ttlSeconds(lastOfBucket, r));
    expect(bucketTtlSeconds(bucket, r)!).toBeGreaterThanOrEqual(ttlSeconds(ts, r)!);
    expect(bucketTtlSeconds(bucket, clock(0))).toBe(0);
  });
});
