import type { KV } from '@nats-io/kv';
import { concord } from '@concord/proto';

export type SmStateRecord = concord.events.v1.SmStateRecord;
const Record = concord.events.v1.SmStateRecord;

/**
 * Resumable Stream Management state in JetStream KV, so that a stream can be resumed after its
 * gateway restarted (or on another gateway node). Entries expire with the bucket's TTL.
 */
export class SmStore {
  constructor(private readonly kv: KV) {}

  async save(smId: string, record: SmStateRecord): Promise<void> {
    await this.kv.put(smId, Record.encode(record).finish());
  }

  /**
   * Reads and deletes the state: a stream is resumed at most once, and only by its own account
   * (checked before anything is deleted, so nobody can wipe another account's stream).
   */
  async take(smId: string, belongs: (record: SmStateRecord) => boolean): Promise<SmStateRecord | undefined> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(smId)) return undefined;
    const e = await this.kv.get(smId);
    if (!e || e.operation !== 'PUT' || e.value.length === 0) return undefined;
    const record = Record.decode(e.value);
    if (!belongs(record)) return undefined;
    try {
      // Only the holder of the latest revision may take it: two concurrent resumes cannot both win.
      await this.kv.delete(smId, { previousSeq: e.revision });
    } catch {
      return undefined;
    }
    return record;
  }

  async forget(smId: string): Promise<void> {
    await this.kv.delete(smId).catch(() => undefined);
  }
}
