import type { Client } from 'cassandra-driver';
import { BUCKET_MS } from './archive';

/** One stored message, as the stats name it. */
export interface ArchiveEdge {
  archiveId: string;
  position: number;
  timestampMs: number;
}

export interface BucketStats {
  bucket: number;
  /** First millisecond the bucket covers. */
  startMs: number;
  messages: number;
}

export interface ArchiveStats {
  owner: string;
  messages: number;
  conversations: number;
  /** Oldest and newest stored message (undefined when the archive is empty). */
  first: ArchiveEdge | undefined;
  last: ArchiveEdge | undefined;
  buckets: BucketStats[];
}

/**
 * Size and extent of one account's archive. Cheap enough to run on a live system: one count
 * per bucket partition (30 days each), one row read at each end, one count of conversations.
 */
export async function archiveStats(client: Client, owner: string): Promise<ArchiveStats> {
  const bucketIds = (await client.execute('SELECT bucket FROM archive_buckets WHERE owner = ?', [owner])).rows.map((r) => Number(r['bucket']));
  const buckets = await Promise.all(bucketIds.map(async (bucket) => {
    const r = await client.execute('SELECT COUNT(*) AS n FROM archive_messages WHERE owner = ? AND bucket = ?', [owner, bucket]);
    return { bucket, startMs: bucket * BUCKET_MS, messages: Number(r.first()?.['n'] ?? 0) };
  }));
  const edge = async (bucket: number | undefined, order: 'ASC' | 'DESC'): Promise<ArchiveEdge | undefined> => {
    if (bucket === undefined) return undefined;
    const row = (await client.execute(`SELECT archive_id, position, ts FROM archive_messages WHERE owner = ? AND bucket = ? ORDER BY position ${order} LIMIT 1`, [owner, bucket])).first();
    return row ? { archiveId: String(row['archive_id']), position: Number(row['position']), timestampMs: (row['ts'] as Date).getTime() } : undefined;
  };
  // Buckets left empty (a deletion racing this read) are skipped at both ends.
  const filled = buckets.filter((b) => b.messages > 0);
  const conversations = await client.execute('SELECT COUNT(*) AS n FROM archive_conversations WHERE owner = ?', [owner]);
  return {
    owner,
    messages: buckets.reduce((sum, b) => sum + b.messages, 0),
    conversations: Number(conversations.first()?.['n'] ?? 0),
    first: await edge(filled[0]?.bucket, 'ASC'),
    last: await edge(filled.at(-1)?.bucket, 'DESC'),
    buckets,
  };
}
