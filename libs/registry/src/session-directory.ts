import type { KV, KvWatchEntry } from '@nats-io/kv';
import { concord } from '@concord/proto';
import { fullJidOfKey } from './jid-bucket';
import { WatchedHead } from './watched-head';

export type SessionRecord = concord.events.v1.SessionRecord;
const SessionRecord = concord.events.v1.SessionRecord;

/** A healthy sync takes one round trip; this only bounds a stalled watcher. */
const SYNC_TIMEOUT_MS = 2_000;

interface Cached {
  record: SessionRecord;
  /** When the entry was written: entries expire by the bucket's TTL without a delete marker. */
  writtenAt: number;
}

/**
 * The session registry as a local, watched copy (for readers that look up sessions on every
 * stanza, like the router). Listing an account from the bucket costs a consumer per call; this
 * keeps the whole bucket in memory from one watcher instead.
 *
 * The guarantee the catch-up relies on is kept: `ofAccount` first syncs — it waits until the
 * copy holds every write the bucket had when the call began (one stream-info round trip,
 * shared by every caller waiting at that moment) — so a session registered before the call is
 * always seen.
 */
export class SessionDirectory {
  private readonly accounts = new Map<string, Map<string, Cached>>();
  private readonly head: WatchedHead;
  private queued: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private syncing = false;
  private watcher: Awaited<ReturnType<KV['watch']>> | undefined;
  private loop: Promise<void> | undefined;

  private constructor(private readonly kv: KV, private readonly ttlMs: number) {
    this.head = new WatchedHead(kv);
  }

  /** `ttlMs`: the bucket's max age (entries older than that are gone from it). */
  static async open(kv: KV, ttlMs: number): Promise<SessionDirectory> {
    const d = new SessionDirectory(kv, ttlMs);
    await d.start();
    return d;
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    await this.loop;
  }

  /** Every live session of one account, as of the moment of the call or later. */
  async ofAccount(account: string): Promise<SessionRecord[]> {
    await this.sync();
    const sessions = this.accounts.get(account);
    if (!sessions) return [];
    const now = Date.now();
    const out: SessionRecord[] = [];
    for (const [key, c] of sessions) {
      if (now - c.writtenAt < this.ttlMs) out.push(c.record);
      else sessions.delete(key); // expired in the bucket too (its gateway stopped refreshing it)
    }
    if (sessions.size === 0) this.accounts.delete(account);
    return out;
  }

  /** Resolves once every write the bucket had when it was called is in the copy. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ resolve, reject });
      this.nextRound();
    });
  }

  private nextRound(): void {
    if (this.syncing || this.queued.length === 0) return;
    // Callers that arrive while a round's request is out wait for the next round: its request
    // is sent after their call began.
    const round = this.queued;
    this.queued = [];
    this.syncing = true;
    this.head.reach(SYNC_TIMEOUT_MS, 'the session directory').then(
      () => round.forEach((w) => w.resolve()),
      (err: Error) => round.forEach((w) => w.reject(err)),
    ).finally(() => {
      this.syncing = false;
      this.nextRound();
    });
  }

  private async start(): Promise<void> {
    this.watcher = await this.kv.watch({ key: '>' });
    const w = this.watcher;
    this.loop = (async () => {
      for await (const e of w) this.apply(e);
    })();
  }

  private apply(e: KvWatchEntry): void {
    const fullJid = fullJidOfKey(e.key);
    const account = fullJid.slice(0, fullJid.indexOf('/'));
    let sessions = this.accounts.get(account);
    if (e.operation === 'PUT' && e.value.length > 0) {
      if (!sessions) this.accounts.set(account, (sessions = new Map()));
      sessions.set(e.key, { record: SessionRecord.decode(e.value), writtenAt: e.created.getTime() });
    } else if (sessions) {
      sessions.delete(e.key);
      if (sessions.size === 0) this.accounts.delete(account);
    }
    this.head.advance(e.revision);
  }
}
