import type { Client } from 'cassandra-driver';
import { KEEP_FOREVER, ttlSeconds, type Retention } from './retention';

/** 30-day buckets: a heavy account's month stays far below Cassandra's partition size limits. */
export const BUCKET_MS = 30 * 86_400_000;

export function bucketOf(timestampMs: number): number {
  return Math.floor(timestampMs / BUCKET_MS);
}

/**
 * The TTL of an account's bucket entry: counted from the bucket's last millisecond, so it
 * outlives every row the bucket can hold whichever message writes it last.
 */
export function bucketTtlSeconds(bucket: number, r: Retention): number | undefined {
  return ttlSeconds((bucket + 1) * BUCKET_MS - 1, r);
}

export interface ArchivedRow {
  owner: string;
  position: number;
  archiveId: string;
  with: string;
  outgoing: boolean;
  timestampMs: number;
  originId: string;
  stanza: string;
}

/** One CQL statement of a batch. */
export interface Statement {
  query: string;
  params: unknown[];
}

/** 'expired': the message is older than the retention; nothing was written. */
export type WriteResult = 'written' | 'duplicate' | 'expired';

export interface PageQuery {
  afterPosition?: number;
  beforePosition?: number;
  startMs?: number;
  endMs?: number;
  /** Bare JID of the other party. */
  with?: string;
  limit: number;
  /** Newest first. */
  reverse: boolean;
}

/**
 * Cassandra refuses a batch above its batch_size_fail_threshold (50 KiB by default), so a row
 * with a larger stanza is written statement by statement, in parallel, the ID index last: an
 * unlogged batch over several partitions is no more atomic than that, and a retry is idempotent.
 */
const BATCHED_STANZA_BYTES = 16 * 1024;

/**
 * Longest wait for a message write's answer. A write takes milliseconds; one sent while the node
 * stalled may never be answered, and the sender's ack waits on it. Writes are idempotent and
 * retried by the caller, so a short wait lets held acks resume within seconds of the node's return.
 */
const WRITE_TIMEOUT_MS = 2_000;

/**
 * Archive rows in Cassandra. Writes are idempotent: a replayed event (same position) writes the
 * same row, and a second event with an archive ID the account already has is a duplicate and
 * is not written again (the first position wins). Callers write one account's rows one at a
 * time, in position order.
 *
 * With a retention, rows carry a TTL counted from their message's time (archive_ids and
 * archive_messages) or their bucket's end (archive_buckets), so a replay expires them at the
 * same moment as the first write did.
 */
export class ArchiveStore {
  /** The session, for the stores that extend the archive tables (conversations, lifecycle). */
  constructor(readonly client: Client, readonly retention: Retention = KEEP_FOREVER) {}

  /**
   * Writes the row with its ID and bucket entries in one unlogged batch (see
   * BATCHED_STANZA_BYTES for large rows), together with
   * `alongside` (state derived from the row, e.g. its conversation), which is thus written
   * exactly when the row is: one round trip after the ID check. `readIdIndex: false` skips the
   * check, for a caller that knows no other event with the ID can come first.
   */
  async write(row: ArchivedRow, alongside: Statement[] = [], opts: { readIdIndex: boolean } = { readIdIndex: true }): Promise<WriteResult> {
    const bucket = bucketOf(row.timestampMs);
    const ttl = ttlSeconds(row.timestampMs, this.retention);
    const bucketTtl = bucketTtlSeconds(bucket, this.retention);
    if (ttl === undefined || bucketTtl === undefined) return 'expired';
    // A read, not a lightweight transaction: one account's events are written one at a time
    // (its partition of the history stream is handled in order), so nothing races this check,
    // and a Paxos round per message would cost several times the write itself. Without the
    // read, the caller vouches that no other event with this ID comes before this one.
    if (opts.readIdIndex) {
      const claimed = await this.positionOf(row.owner, row.archiveId);
      if (claimed !== undefined && claimed !== row.position) return 'duplicate';
    }
    const index = { query: 'INSERT INTO archive_ids (owner, archive_id, position, bucket) VALUES (?, ?, ?, ?) USING TTL ?', params: [row.owner, row.archiveId, row.position, bucket, ttl] };
    const rest = [
      { query: 'INSERT INTO archive_buckets (owner, bucket) VALUES (?, ?) USING TTL ?', params: [row.owner, bucket, bucketTtl] },
      messageInsert(row, ttl),
      ...alongside,
    ];
    if (Buffer.byteLength(row.stanza) <= BATCHED_STANZA_BYTES) {
      await this.client.batch([index, ...rest], { logged: false, readTimeout: WRITE_TIMEOUT_MS });
    } else {
      // The ID index last: an ID found there (the router's proof that a message is stored) has its row.
      await Promise.all(rest.map((st) => this.client.execute(st.query, st.params, { readTimeout: WRITE_TIMEOUT_MS })));
      await this.client.execute(index.query, index.params, { readTimeout: WRITE_TIMEOUT_MS });
    }
    return 'written';
  }

  /**
   * Replaces a stored row's stanza (a retraction's tombstone), position and ID unchanged. The
   * whole row is written again rather than one cell updated, so that under a retention every
   * cell keeps expiring together with the row. False when the row has expired.
   */
  async replaceStanza(row: ArchivedRow, stanza: string): Promise<boolean> {
    const ttl = ttlSeconds(row.timestampMs, this.retention);
    if (ttl === undefined) return false;
    const insert = messageInsert({ ...row, stanza }, ttl);
    await this.client.execute(insert.query, insert.params);
    return true;
  }

  /**
   * Which of the accounts' archive IDs are in use, in one request (keys `owner` + newline +
   * `archiveId`). Every owner is asked for every ID; the few extra lookups cost less than
   * another round trip.
   */
  async idsInUse(owners: string[], archiveIds: string[]): Promise<Set<string>> {
    const r = await this.client.execute('SELECT owner, archive_id FROM archive_ids WHERE owner IN ? AND archive_id IN ?', [owners, archiveIds]);
    return new Set(r.rows.map((x) => `${String(x['owner'])}\n${String(x['archive_id'])}`));
  }

  async byId(owner: string, archiveId: string): Promise<ArchivedRow | undefined> {
    const idx = (await this.client.execute('SELECT position, bucket FROM archive_ids WHERE owner = ? AND archive_id = ?', [owner, archiveId])).first();
    if (!idx) return undefined;
    const row = (await this.client.execute('SELECT * FROM archive_messages WHERE owner = ? AND bucket = ? AND position = ?', [owner, idx['bucket'], idx['position']])).first();
    return row ? toRow(row) : undefined;
  }

  /** The position of an archive ID, from the ID index alone. */
  async positionOf(owner: string, archiveId: string): Promise<number | undefined> {
    const idx = (await this.client.execute('SELECT position FROM archive_ids WHERE owner = ? AND archive_id = ?', [owner, archiveId])).first();
    return idx ? Number(idx['position']) : undefined;
  }

  /** The account's buckets, oldest first. */
  async buckets(owner: string): Promise<number[]> {
    return (await this.client.execute('SELECT bucket FROM archive_buckets WHERE owner = ?', [owner])).rows.map((r) => Number(r['bucket']));
  }

  /**
   * Up to `limit` rows strictly between two positions, walking buckets in order (newest first
   * when `reverse`), filtered by conversation and time. Reads bucket by bucket in pages, so
   * a query touches only the partitions it needs.
   */
  async page(owner: string, q: PageQuery): Promise<ArchivedRow[]> {
    const out: ArchivedRow[] = [];
    const firstBucket = q.startMs !== undefined ? bucketOf(q.startMs) : -Infinity;
    const lastBucket = q.endMs !== undefined ? bucketOf(q.endMs) : Infinity;
    let buckets = (await this.buckets(owner)).filter((b) => b >= firstBucket && b <= lastBucket);
    if (q.reverse) buckets = buckets.reverse();
    const order = q.reverse ? 'DESC' : 'ASC';
    // Unfiltered, every row read is returned: read no more than asked. Filtered, read ahead.
    const filtered = q.with !== undefined || q.startMs !== undefined || q.endMs !== undefined;
    const fetchSize = filtered ? Math.min(500, q.limit * 4) : Math.min(500, q.limit);
    for (const bucket of buckets) {
      let pageState: string | undefined;
      do {
        const r = await this.client.execute(
          `SELECT * FROM archive_messages WHERE owner = ? AND bucket = ? AND position > ? AND position < ? ORDER BY position ${order}`,
          [owner, bucket, q.afterPosition ?? -1, q.beforePosition ?? Number.MAX_SAFE_INTEGER],
          { fetchSize, ...(pageState ? { pageState } : {}) },
        );
        for (const raw of r.rows) {
          const row = toRow(raw);
          if (q.with !== undefined && row.with !== q.with) continue;
          if (q.startMs !== undefined && row.timestampMs < q.startMs) continue;
          if (q.endMs !== undefined && row.timestampMs > q.endMs) continue;
          out.push(row);
          if (out.length >= q.limit) return out;
        }
        pageState = r.pageState ?? undefined;
      } while (pageState);
    }
    return out;
  }

  /** Every row of an account in position order (small archives, tests and rebuild checks). */
  async *all(owner: string): AsyncGenerator<ArchivedRow> {
    for (const bucket of await this.buckets(owner)) {
      let pageState: string | undefined;
      do {
        const r = await this.client.execute('SELECT * FROM archive_messages WHERE owner = ? AND bucket = ?', [owner, bucket], { fetchSize: 500, ...(pageState ? { pageState } : {}) });
        for (const row of r.rows) yield toRow(row);
        pageState = r.pageState ?? undefined;
      } while (pageState);
    }
  }
}

function messageInsert(row: ArchivedRow, ttl: number): Statement {
  return {
    query: 'INSERT INTO archive_messages (owner, bucket, position, archive_id, with_jid, outgoing, ts, origin_id, stanza) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?',
    params: [row.owner, bucketOf(row.timestampMs), row.position, row.archiveId, row.with, row.outgoing, new Date(row.timestampMs), row.originId, row.stanza, ttl],
  };
}

function toRow(r: Record<string, unknown>): ArchivedRow {
  return {
    owner: String(r['owner']),
    position: Number(r['position']),
    archiveId: String(r['archive_id']),
    with: String(r['with_jid']),
    outgoing: Boolean(r['outgoing']),
    timestampMs: (r['ts'] as Date).getTime(),
    originId: String(r['origin_id'] ?? ''),
    stanza: String(r['stanza']),
  };
}
