import type { KV } from '@nats-io/kv';

/** A healthy listing takes milliseconds; this only bounds a stalled one. */
const LIST_TIMEOUT_MS = 2_000;

/** KV keys allow [-/_=.A-Za-z0-9]: JID parts are base64url-encoded, account first, so one account's sessions share a key prefix. */
export function sessionKey(account: string, resource: string): string {
  return `${Buffer.from(account).toString('base64url')}.${Buffer.from(resource).toString('base64url')}`;
}

export function splitFullJid(fullJid: string): [string, string] {
  const slash = fullJid.indexOf('/');
  if (slash < 0) throw new Error(`not a full JID: ${fullJid}`);
  return [fullJid.slice(0, slash), fullJid.slice(slash + 1)];
}

export function keyOfFullJid(fullJid: string): string {
  return sessionKey(...splitFullJid(fullJid));
}

/** The full JID a key names (the inverse of sessionKey). */
export function fullJidOfKey(key: string): string {
  const [account = '', resource = ''] = key.split('.');
  return `${Buffer.from(account, 'base64url').toString()}/${Buffer.from(resource, 'base64url').toString()}`;
}

/** A value stored under the key, with the revision a conditional write must name. */
export interface Revised<T> {
  value: T;
  revision: number;
}

export async function readKey<T>(kv: KV, key: string, decode: (b: Uint8Array) => T): Promise<Revised<T> | undefined> {
  const e = await kv.get(key);
  return e && e.operation === 'PUT' && e.value.length > 0 ? { value: decode(e.value), revision: e.revision } : undefined;
}

/**
 * Every value of one account in a bucket keyed by sessionKey. Reads the bucket (not a cache),
 * so a write that completed before the call is always seen. Bounded in time: a listing that
 * stalls is stopped and tried once more (nats.js ends a key listing at the last pending key, or
 * at the consumer's next heartbeat when a key expired between its count and its delivery, as
 * TTL'd session keys do), then throws, and the caller retries.
 */
export async function listAccount<T>(kv: KV, account: string, decode: (b: Uint8Array) => T): Promise<T[]> {
  try {
    return await listOnce(kv, account, decode);
  } catch (err) {
    if (!(err instanceof ListingStalled)) throw err;
    return listOnce(kv, account, decode);
  }
}

class ListingStalled extends Error {}

async function listOnce<T>(kv: KV, account: string, decode: (b: Uint8Array) => T): Promise<T[]> {
  let timer: NodeJS.Timeout | undefined;
  let keys: Awaited<ReturnType<KV['keys']>> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ListingStalled(`session listing for ${account} timed out`)), LIST_TIMEOUT_MS);
  });
  const list = async () => {
    const out: T[] = [];
    keys = await kv.keys(`${Buffer.from(account).toString('base64url')}.>`);
    for await (const key of keys) {
      const e = await readKey(kv, key, decode);
      if (e) out.push(e.value);
    }
    return out;
  };
  try {
    return await Promise.race([list(), timeout]);
  } finally {
    clearTimeout(timer);
    // A listing given up on must not keep its consumer's subscription open.
    keys?.stop();
  }
}
