import type { KV } from '@nats-io/kv';
import { concord } from '@concord/proto';

/** A healthy listing takes milliseconds; this only bounds a stalled one. */
const LIST_TIMEOUT_MS = 2_000;

export type SessionRecord = concord.events.v1.SessionRecord;
const SessionRecord = concord.events.v1.SessionRecord;

/** KV keys allow [-/_=.A-Za-z0-9]: JID parts are base64url-encoded, account first, so one account's sessions share a key prefix. */
export function sessionKey(account: string, resource: string): string {
  return `${Buffer.from(account).toString('base64url')}.${Buffer.from(resource).toString('base64url')}`;
}

function splitFullJid(fullJid: string): [string, string] {
  const slash = fullJid.indexOf('/');
  if (slash < 0) throw new Error(`not a full JID: ${fullJid}`);
  return [fullJid.slice(0, slash), fullJid.slice(slash + 1)];
}

/**
 * The cluster-wide session registry: every bound session (full JID, gateway node, 2.0 or
 * legacy, CSI state...). Entries expire unless their gateway refreshes them (the bucket's TTL),
 * so the sessions of a dead gateway vanish on their own.
 */
export class SessionRegistry {
  constructor(private readonly kv: KV) {}

  async put(record: SessionRecord): Promise<void> {
    const [account, resource] = splitFullJid(record.fullJid);
    await this.kv.put(sessionKey(account, resource), SessionRecord.encode(record).finish());
  }

  async remove(fullJid: string): Promise<void> {
    const [account, resource] = splitFullJid(fullJid);
    await this.kv.delete(sessionKey(account, resource));
  }

  async get(fullJid: string): Promise<SessionRecord | undefined> {
    const [account, resource] = splitFullJid(fullJid);
    const e = await this.kv.get(sessionKey(account, resource));
    return e && e.operation === 'PUT' && e.value.length > 0 ? SessionRecord.decode(e.value) : undefined;
  }

  /**
   * Every live session of one account. Reads the bucket (not a cache), so a session whose
   * registration completed before the call is always seen. Bounded in time: a listing that
   * stalls throws, and the caller retries.
   */
  async ofAccount(account: string): Promise<SessionRecord[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`session listing for ${account} timed out`)), LIST_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.list(account), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async list(account: string): Promise<SessionRecord[]> {
    const prefix = `${Buffer.from(account).toString('base64url')}.`;
    const out: SessionRecord[] = [];
    for await (const key of await this.kv.keys(`${prefix}>`)) {
      const e = await this.kv.get(key);
      if (e && e.operation === 'PUT' && e.value.length > 0) out.push(SessionRecord.decode(e.value));
    }
    return out;
  }
}
