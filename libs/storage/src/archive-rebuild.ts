import type { Client } from 'cassandra-driver';
import { ConversationStore } from './conversations';

/** Every table the archive projects the history stream into (migrations 0002 and 0003). */
export const ARCHIVE_TABLES = ['archive_messages', 'archive_ids', 'archive_buckets', 'archive_conversations', 'archive_incoming', 'archive_changes'] as const;

/** TRUNCATE waits for every replica; Cassandra's own limit is a minute. */
const TRUNCATE_TIMEOUT_MS = 120_000;

/**
 * Empties the archive of every account before a rebuild. TRUNCATE, not DELETE: the
 * conversation tables are written with the event's position as cell timestamp, and a
 * tombstone hides every cell at or below its own timestamp, so no tombstone could clear them
 * without also hiding the replayed writes. TRUNCATE drops the data and leaves no tombstone.
 * It needs every replica up, and takes a snapshot first where auto_snapshot is on.
 */
export async function truncateArchive(client: Client): Promise<void> {
  for (const table of ARCHIVE_TABLES) await client.execute(`TRUNCATE ${table}`, [], { prepare: false, readTimeout: TRUNCATE_TIMEOUT_MS });
}

/**
 * Clears one account's archive before it is rebuilt by replaying the history stream from
 * `firstPosition` (the stream's first sequence). Returns how many buckets were cleared.
 *
 * - archive_messages, archive_ids, archive_buckets are written at the current time, so
 *   deleting them now (partition tombstones) hides nothing the replay writes afterwards.
 *   Buckets are found in archive_buckets and in archive_ids, so that rows whose bucket entry
 *   was lost are cleared too.
 * - The conversation tables (archive_conversations, archive_incoming, archive_changes) carry
 *   positions as cell timestamps: a tombstone can only remove what it would also hide from
 *   the replay. They are deleted at `firstPosition - 1`, which removes what events no longer
 *   in the stream left behind, and the replay writes the rest again in place: the same cells
 *   at the same timestamps with the same values. (A rebuild of all accounts truncates them.)
 */
export async function clearAccountArchive(client: Client, owner: string, firstPosition: number): Promise<number> {
  const buckets = new Set<number>();
  for await (const row of paged(client, 'SELECT bucket FROM archive_buckets WHERE owner = ?', [owner])) buckets.add(Number(row['bucket']));
  for await (const row of paged(client, 'SELECT bucket FROM archive_ids WHERE owner = ?', [owner])) buckets.add(Number(row['bucket']));
  for (const bucket of buckets) await client.execute('DELETE FROM archive_messages WHERE owner = ? AND bucket = ?', [owner, bucket]);
  await client.execute('DELETE FROM archive_ids WHERE owner = ?', [owner]);
  await client.execute('DELETE FROM archive_buckets WHERE owner = ?', [owner]);
  await new ConversationStore(client).clearBefore(owner, firstPosition);
  await client.execute('DELETE FROM archive_changes USING TIMESTAMP ? WHERE owner = ?', [firstPosition - 1, owner]);
  return buckets.size;
}

async function* paged(client: Client, cql: string, params: unknown[]): AsyncGenerator<Record<string, unknown>> {
  let pageState: string | undefined;
  do {
    const r = await client.execute(cql, params, { fetchSize: 5000, ...(pageState ? { pageState } : {}) });
    yield* r.rows;
    pageState = r.pageState ?? undefined;
  } while (pageState);
}
