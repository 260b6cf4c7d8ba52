import type { Client } from 'cassandra-driver';

/**
 * Reads for checking the archive against the history stream: what the projection holds of
 * events it has applied. Each reads one partition with an IN list, so a caller checks a batch
 * of one account's events in a round trip or two.
 */

/** The positions the ID index holds for the account's archive IDs (absent: not indexed). */
export async function indexedPositions(client: Client, owner: string, archiveIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (archiveIds.length === 0) return out;
  const r = await client.execute('SELECT archive_id, position FROM archive_ids WHERE owner = ? AND archive_id IN ?', [owner, archiveIds]);
  for (const row of r.rows) out.set(String(row['archive_id']), Number(row['position']));
  return out;
}

/** Which of the positions have a row in one bucket of the account's archive. */
export async function storedPositions(client: Client, owner: string, bucket: number, positions: number[]): Promise<Set<number>> {
  if (positions.length === 0) return new Set();
  const r = await client.execute('SELECT position FROM archive_messages WHERE owner = ? AND bucket = ? AND position IN ?', [owner, bucket, positions]);
  return new Set(r.rows.map((row) => Number(row['position'])));
}

/**
 * The first row of the account below `position`, in the buckets archive_buckets lists: what a
 * deletion at `position` must have removed. Undefined when there is none.
 */
export async function firstRowBelow(client: Client, owner: string, position: number): Promise<number | undefined> {
  const buckets = (await client.execute('SELECT bucket FROM archive_buckets WHERE owner = ?', [owner])).rows.map((r) => Number(r['bucket']));
  for (const bucket of buckets) {
    const row = (await client.execute('SELECT position FROM archive_messages WHERE owner = ? AND bucket = ? AND position < ? LIMIT 1', [owner, bucket, position])).first();
    if (row) return Number(row['position']);
  }
  return undefined;
}
