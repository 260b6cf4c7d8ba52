import type { Client } from 'cassandra-driver';

export type ArchiveChangeKind = 'retract' | 'delete';

/** An event that changed earlier messages, at its own position. */
export interface ArchiveChange {
  owner: string;
  position: number;
  kind: ArchiveChangeKind;
  /** The retracted archive ID ('' for a deletion). */
  targetId: string;
}

/**
 * Retraction and deletion in the archive tables (archive_messages, archive_ids,
 * archive_buckets) and the change log (archive_changes) that lets a reader resuming after a
 * position learn of them. Every operation can be repeated with the same result.
 */
export class ArchiveLifecycleStore {
  constructor(private readonly client: Client) {}

  /** Replaces a stored stanza (a tombstone for a retracted message); position and ID stay. */
  async replaceStanza(owner: string, bucket: number, position: number, stanza: string): Promise<void> {
    await this.client.execute('UPDATE archive_messages SET stanza = ? WHERE owner = ? AND bucket = ? AND position = ?', [stanza, owner, bucket, position]);
  }

  async recordChange(c: ArchiveChange): Promise<void> {
    await this.client.execute('INSERT INTO archive_changes (owner, position, kind, target_id) VALUES (?, ?, ?, ?) USING TIMESTAMP ?', [c.owner, c.position, c.kind, c.targetId, c.position]);
  }

  /** Changes with positions in (after, upTo], in order. */
  async changesBetween(owner: string, after: number, upTo: number): Promise<ArchiveChange[]> {
    const r = await this.client.execute('SELECT * FROM archive_changes WHERE owner = ? AND position > ? AND position <= ?', [owner, after, upTo], { fetchSize: 5000 });
    return r.rows.map((row) => ({ owner, position: Number(row['position']), kind: String(row['kind']) as ArchiveChangeKind, targetId: String(row['target_id'] ?? '') }));
  }

  /**
   * Removes every message of the owner with a position below `position`: rows, their IDs, the
   * buckets left empty, and older change records. Rows at or after it stay.
   */
  async deleteBefore(owner: string, position: number): Promise<number> {
    let deleted = 0;
    const buckets = (await this.client.execute('SELECT bucket FROM archive_buckets WHERE owner = ?', [owner])).rows.map((r) => Number(r['bucket']));
    for (const bucket of buckets) {
      // IDs first: a rerun after a crash still finds the rows they point to.
      let pageState: string | undefined;
      do {
        const r = await this.client.execute('SELECT position, archive_id FROM archive_messages WHERE owner = ? AND bucket = ? AND position < ?', [owner, bucket, position], { fetchSize: 500, ...(pageState ? { pageState } : {}) });
        await Promise.all(r.rows.map((row) => this.client.execute('DELETE FROM archive_ids WHERE owner = ? AND archive_id = ?', [owner, row['archive_id']])));
        deleted += r.rowLength;
        pageState = r.pageState ?? undefined;
      } while (pageState);
      await this.client.execute('DELETE FROM archive_messages WHERE owner = ? AND bucket = ? AND position < ?', [owner, bucket, position]);
      const left = await this.client.execute('SELECT position FROM archive_messages WHERE owner = ? AND bucket = ? LIMIT 1', [owner, bucket]);
      if (left.rowLength === 0) await this.client.execute('DELETE FROM archive_buckets WHERE owner = ? AND bucket = ?', [owner, bucket]);
    }
    await this.client.execute('DELETE FROM archive_changes USING TIMESTAMP ? WHERE owner = ?', [position - 1, owner]);
    return deleted;
  }
}
