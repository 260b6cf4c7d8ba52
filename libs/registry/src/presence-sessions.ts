import type { KV } from '@nats-io/kv';
import { concord } from '@concord/proto';
import { fullJidOfKey, keyOfFullJid, listAccount, readKey, type Revised } from './jid-bucket';

export type PresenceSessionRecord = concord.events.v1.PresenceSessionRecord;
const Record = concord.events.v1.PresenceSessionRecord;
const decode = (b: Uint8Array) => Record.decode(b);

/** Concurrent writers of one entry lose the conditional write and try again from a fresh read. */
const MAX_ATTEMPTS = 20;

export interface PresenceChange {
  before: PresenceSessionRecord | undefined;
  after: PresenceSessionRecord | undefined;
}

/**
 * The presence service's view of sessions (KV bucket presence): availability, last presence,
 * directed presence and roster interest, keyed like the session registry. Every write is
 * conditional on the revision it read, so several presence instances never lose an update.
 */
export class PresenceSessions {
  constructor(private readonly kv: KV) {}

  async get(fullJid: string): Promise<Revised<PresenceSessionRecord> | undefined> {
    return readKey(this.kv, keyOfFullJid(fullJid), decode);
  }

  async ofAccount(account: string): Promise<PresenceSessionRecord[]> {
    return listAccount(this.kv, account, decode);
  }

  /**
   * Read-modify-write of one entry. `change` returns the new record, `undefined` to leave it,
   * or `null` to delete it; it may run again after a conflict and must be pure.
   */
  async modify(fullJid: string, change: (current: PresenceSessionRecord | undefined) => PresenceSessionRecord | null | undefined): Promise<PresenceChange> {
    const key = keyOfFullJid(fullJid);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await readKey(this.kv, key, decode);
      const next = change(current?.value);
      if (next === undefined) return { before: current?.value, after: current?.value };
      try {
        if (next === null) {
          if (current) await this.kv.delete(key, { previousSeq: current.revision });
        } else {
          const bytes = Record.encode({ ...next, fullJid, updatedAtMs: Date.now() }).finish();
          if (current) await this.kv.update(key, bytes, current.revision);
          else await this.kv.create(key, bytes);
        }
        return { before: current?.value, after: next ?? undefined };
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    throw new Error(`presence of ${fullJid} changed concurrently ${MAX_ATTEMPTS} times; giving up`);
  }

  /** Removes the entry only if it is still at `revision`: of several removers, one wins. */
  async removeAt(fullJid: string, revision: number): Promise<boolean> {
    try {
      await this.kv.delete(keyOfFullJid(fullJid), { previousSeq: revision });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /** Full JIDs of every entry (for the sweep that finds sessions whose gateway died). */
  async fullJids(): Promise<string[]> {
    const out: string[] = [];
    for await (const key of await this.kv.keys()) out.push(fullJidOfKey(key));
    return out;
  }
}

/** JetStream API error code of a write whose expected revision is not the key's last one. */
const WRONG_LAST_SEQUENCE = 10071;

function isConflict(err: unknown): boolean {
  const e = err as { code?: unknown; message?: string } | undefined;
  return e?.code === WRONG_LAST_SEQUENCE || /wrong last sequence/i.test(e?.message ?? '');
}
