import type { KV, KvWatchEntry } from '@nats-io/kv';
import { WatchedHead } from './watched-head';

/**
 * The accounts that have push registrations, as one KV key per account (its bare JID,
 * base64url-encoded), plus a marker key once the set is known to be complete. The push
 * service writes it; the router reads a watched copy so that a message to an account nobody
 * registered for push costs no push request (no JetStream message, no registration lookup).
 *
 * Until the marker exists (a push service has not yet filled the set from Cassandra), readers
 * must assume every account may have registrations.
 */

/** Not base64url (it has a dot), so never an account's key. */
const COMPLETE_KEY = 'set.complete';

/** A healthy initial replay takes milliseconds; this only bounds a stalled watcher. */
const INITIAL_TIMEOUT_MS = 5_000;

function pushAccountKey(account: string): string {
  return Buffer.from(account).toString('base64url');
}

/** Writes of the set, for the push service. */
export class PushAccountsWriter {
  constructor(private readonly kv: KV) {}

  async set(account: string, hasRegistrations: boolean): Promise<void> {
    if (hasRegistrations) await this.kv.put(pushAccountKey(account), '1');
    else await this.kv.delete(pushAccountKey(account));
  }

  async isComplete(): Promise<boolean> {
    const e = await this.kv.get(COMPLETE_KEY);
    return e !== null && e.operation === 'PUT';
  }

  /** Declares the set complete: every account with registrations has its key. */
  async markComplete(): Promise<void> {
    await this.kv.put(COMPLETE_KEY, new Date().toISOString());
  }
}

/** A watched copy of the set, for the router. */
export class PushAccounts {
  private readonly accounts = new Set<string>();
  private complete = false;
  private readonly head: WatchedHead;
  private watcher: Awaited<ReturnType<KV['watch']>> | undefined;
  private loop: Promise<void> | undefined;

  private constructor(private readonly kv: KV) {
    this.head = new WatchedHead(kv);
  }

  /** Resolves once the copy holds everything the bucket had when it was opened. */
  static async open(kv: KV): Promise<PushAccounts> {
    const p = new PushAccounts(kv);
    await p.start();
    return p;
  }

  /**
   * False only when the account is known to have no push registrations. A registration made
   * a moment ago may not be seen yet; its device was online to make it, so a message in that
   * moment reaches it live.
   */
  mayPush(account: string): boolean {
    return !this.complete || this.accounts.has(pushAccountKey(account));
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    await this.loop;
  }

  private async start(): Promise<void> {
    const w = (this.watcher = await this.kv.watch({ key: '>' }));
    this.loop = (async () => {
      for await (const e of w) this.apply(e);
    })();
    await this.head.reach(INITIAL_TIMEOUT_MS, 'the push accounts set');
  }

  private apply(e: KvWatchEntry): void {
    const present = e.operation === 'PUT';
    if (e.key === COMPLETE_KEY) this.complete = present;
    else if (present) this.accounts.add(e.key);
    else this.accounts.delete(e.key);
    this.head.advance(e.revision);
  }
}
