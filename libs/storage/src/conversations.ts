import type { Client } from 'cassandra-driver';
import type { Statement } from './archive';

/** Unread counts stop here; above it a conversation shows "N+" (capped). */
export const UNREAD_CAP = 100;

export interface ConversationRecord {
  owner: string;
  with: string;
  /** Last message with a body (0 when there is none yet, e.g. only markers). */
  lastPosition: number;
  lastBucket: number;
  lastArchiveId: string;
  lastTimestampMs: number;
  /** Position up to which the owner has read the conversation (0: nothing read). */
  readThrough: number;
}

export interface UnreadCount {
  count: number;
  capped: boolean;
}

/**
 * Per-conversation state of an account's archive (table archive_conversations) and its
 * incoming-message index (archive_incoming), written by the archive projection. Every write
 * carries the event's position as its cell timestamp, so the highest position wins whatever
 * the order and a replay changes nothing; a deletion at position D is a tombstone at D - 1.
 */
export class ConversationStore {
  constructor(private readonly client: Client) {}

  /**
   * What a message changes in its conversation, as statements for the batch that writes the
   * message's row (so they are written exactly when the row is): with a body, it becomes the
   * conversation's last message and, if incoming, unread; anything the owner sends (a reply, a
   * XEP-0333 marker) means the owner has read the conversation up to it.
   */
  static messageStatements(owner: string, withJid: string, m: { position: number; bucket: number; archiveId: string; timestampMs: number; outgoing: boolean; hasBody: boolean }): Statement[] {
    const out: Statement[] = [];
    if (m.hasBody) {
      out.push({
        query: 'UPDATE archive_conversations USING TIMESTAMP ? SET last_position = ?, last_bucket = ?, last_archive_id = ?, last_ts = ? WHERE owner = ? AND with_jid = ?',
        params: [m.position, m.position, m.bucket, m.archiveId, new Date(m.timestampMs), owner, withJid],
      });
      if (!m.outgoing) out.push({ query: 'INSERT INTO archive_incoming (owner, with_jid, position) VALUES (?, ?, ?) USING TIMESTAMP ?', params: [owner, withJid, m.position, m.position] });
    }
    if (m.outgoing) out.push({ query: 'UPDATE archive_conversations USING TIMESTAMP ? SET read_through = ? WHERE owner = ? AND with_jid = ?', params: [m.position, m.position, owner, withJid] });
    return out;
  }

  /** A retracted incoming message no longer counts as unread. */
  async forgetIncoming(owner: string, withJid: string, messagePosition: number, retractPosition: number): Promise<void> {
    await this.client.execute('DELETE FROM archive_incoming USING TIMESTAMP ? WHERE owner = ? AND with_jid = ? AND position = ?', [retractPosition, owner, withJid, messagePosition]);
  }

  /** Every conversation of the owner (one partition; unordered). */
  async list(owner: string): Promise<ConversationRecord[]> {
    const out: ConversationRecord[] = [];
    let pageState: string | undefined;
    do {
      const r = await this.client.execute('SELECT * FROM archive_conversations WHERE owner = ?', [owner], { fetchSize: 1000, ...(pageState ? { pageState } : {}) });
      for (const row of r.rows) {
        out.push({
          owner,
          with: String(row['with_jid']),
          lastPosition: Number(row['last_position'] ?? 0),
          lastBucket: Number(row['last_bucket'] ?? 0),
          lastArchiveId: String(row['last_archive_id'] ?? ''),
          lastTimestampMs: row['last_ts'] ? (row['last_ts'] as Date).getTime() : 0,
          readThrough: Number(row['read_through'] ?? 0),
        });
      }
      pageState = r.pageState ?? undefined;
    } while (pageState);
    return out;
  }

  /** Incoming messages with a body after `readThrough`, counted up to UNREAD_CAP. */
  async unread(owner: string, withJid: string, readThrough: number): Promise<UnreadCount> {
    const r = await this.client.execute('SELECT position FROM archive_incoming WHERE owner = ? AND with_jid = ? AND position > ? LIMIT ?', [owner, withJid, readThrough, UNREAD_CAP + 1]);
    return { count: Math.min(r.rowLength, UNREAD_CAP), capped: r.rowLength > UNREAD_CAP };
  }

  /** Forgets everything the owner's conversations held before `position`. */
  async clearBefore(owner: string, position: number): Promise<void> {
    // The index partitions first: they are found through the conversation rows.
    for (const c of await this.list(owner)) {
      await this.client.execute('DELETE FROM archive_incoming USING TIMESTAMP ? WHERE owner = ? AND with_jid = ?', [position - 1, owner, c.with]);
    }
    await this.client.execute('DELETE FROM archive_conversations USING TIMESTAMP ? WHERE owner = ?', [position - 1, owner]);
  }
}
