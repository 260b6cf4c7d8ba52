import type { KV } from '@nats-io/kv';
import { concord } from '@concord/proto';
import { keyOfFullJid, listAccount, readKey } from './jid-bucket';

export type SessionRecord = concord.events.v1.SessionRecord;
const SessionRecord = concord.events.v1.SessionRecord;
const decode = (b: Uint8Array) => SessionRecord.decode(b);

/**
 * The cluster-wide session registry: every bound session (full JID, gateway node, 2.0 or
 * legacy, CSI state...). Entries expire unless their gateway refreshes them (the bucket's TTL),
 * so the sessions of a dead gateway vanish on their own.
 */
export class SessionRegistry {
  constructor(private readonly kv: KV) {}

  /** Fields left out take their protobuf defaults, so a writer need not know fields added later. */
  async put(record: Partial<SessionRecord> & { fullJid: string }): Promise<void> {
    await this.kv.put(keyOfFullJid(record.fullJid), SessionRecord.encode(SessionRecord.fromPartial(record)).finish());
  }

  async remove(fullJid: string): Promise<void> {
    await this.kv.delete(keyOfFullJid(fullJid));
  }

  async get(fullJid: string): Promise<SessionRecord | undefined> {
    return (await readKey(this.kv, keyOfFullJid(fullJid), decode))?.value;
  }

  /**
   * Every live session of one account. Reads the bucket (not a cache), so a session whose
   * registration completed before the call is always seen. Bounded in time: a listing that
   * stalls throws, and the caller retries.
   */
  async ofAccount(account: string): Promise<SessionRecord[]> {
    return listAccount(this.kv, account, decode);
  }
}
