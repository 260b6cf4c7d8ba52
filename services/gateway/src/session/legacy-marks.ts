/**
 * What each legacy (RFC 6120 bound) session last received, kept per full JID in the
 * legacy_marks KV bucket, so that its next login with the same resource gets exactly what
 * arrived while it was away (DESIGN §3.5; the replay is in legacy-replay.ts).
 *
 * "Received" means: acknowledged by XEP-0198 `<a h>` when the stream has Stream Management;
 * written to the socket when it has not; and everything written before a clean close (the
 * client read the stream up to the server's closing tag, RFC 6120 §4.4).
 */
import { backoffMs, sleep } from '@concord/bus';
import type { KV } from '@nats-io/kv';
import type { Jid } from '@concord/jid';
import type { Logger } from '@concord/log';
import { concord } from '@concord/proto';
import { keyOfFullJid } from '@concord/registry';
import type { Element } from '@concord/xml';
import { NS, carbonPayload } from '@concord/xmpp';
import type { StreamManagement } from '../sm/stream-management';

const LegacyMark = concord.events.v1.LegacyMark;

/**
 * Archive IDs a mark keeps. Live deliveries of one account can reach a session slightly out of
 * archive order (senders' partitions are routed concurrently); the replay starts after the
 * oldest of these and leaves all of them out, so that window covers the reordering.
 */
export const MARK_WINDOW = 32;

/** Reads of a mark before a stream gives up on it (the bucket not answering: NATS down). */
const LOAD_ATTEMPTS = 5;
const LOAD_FIRST_WAIT_MS = 200;

/**
 * The account's archive ID of a message delivered to a session: its own stanza-id, or that of
 * the message a XEP-0280 carbon forwards (the sender's archived copy).
 */
export function deliveredArchiveId(stanza: Element, account: string): string | undefined {
  if (stanza.name !== 'message') return undefined;
  const message = carbonPayload(stanza) ?? stanza;
  return message.getChildren('stanza-id', NS.sid).find((s) => s.attrs['by'] === account)?.attrs['id'];
}

/** A session bound with RFC 6120 (its client-id is its resource, DESIGN §7) that is not 2.0. */
export function isLegacyBound(jid: Jid, clientId: string, imNg: boolean): boolean {
  return !imNg && !jid.isBare && clientId === jid.resource;
}

/**
 * The bucket, with writes coalesced per full JID (at most one in flight; the newest value is
 * the one that lands) and read back from memory until written, so that a new stream of the same
 * full JID on this node never reads an older mark than the previous stream left.
 */
export class LegacyMarkStore {
  private readonly unsaved = new Map<string, string[]>();
  private readonly writing = new Map<string, Promise<void>>();

  constructor(private readonly kv: KV, private readonly log: Logger, private readonly retry = { attempts: LOAD_ATTEMPTS, firstWaitMs: LOAD_FIRST_WAIT_MS }) {}

  /** load(), tried again a few times while the bucket does not answer. */
  async loadRetrying(fullJid: string): Promise<string[] | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.load(fullJid);
      } catch (err) {
        if (attempt >= this.retry.attempts) throw err;
        await sleep(backoffMs({ firstMs: this.retry.firstWaitMs, maxMs: Infinity }, attempt));
      }
    }
  }

  /** Undefined when the resource never logged in here (or its mark expired). */
  async load(fullJid: string): Promise<string[] | undefined> {
    const unsaved = this.unsaved.get(fullJid);
    if (unsaved) return [...unsaved];
    const e = await this.kv.get(keyOfFullJid(fullJid));
    if (!e || e.operation !== 'PUT' || e.value.length === 0) return undefined;
    return LegacyMark.decode(e.value).receivedIds;
  }

  save(fullJid: string, receivedIds: string[]): void {
    this.unsaved.set(fullJid, receivedIds);
    if (!this.writing.has(fullJid)) this.writing.set(fullJid, this.drain(fullJid));
  }

  /** Resolves when every saved mark is written (or failed): for a graceful shutdown. */
  async idle(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing.values());
  }

  private async drain(fullJid: string): Promise<void> {
    try {
      for (let ids = this.unsaved.get(fullJid); ids; ids = this.unsaved.get(fullJid)) {
        const value = LegacyMark.encode({ receivedIds: ids, updatedAtMs: Date.now() }).finish();
        // A failed write is not retried: the next save carries a newer mark anyway.
        await this.kv.put(keyOfFullJid(fullJid), value).catch((err: Error) => this.log.warn({ err: err.message }, 'could not save a legacy session mark'));
        if (this.unsaved.get(fullJid) === ids) this.unsaved.delete(fullJid);
      }
    } finally {
      this.writing.delete(fullJid);
    }
  }
}

/**
 * One stream's view of its mark: loads the previous one, adds what the stream receives, and
 * remembers what it was handed before its replay (which leaves those out).
 */
export class LegacyMarkTracker {
  /**
   * The mark as it was when the stream began (undefined: first login of the resource). Rejects
   * when the bucket could not be read: the stream then neither replays nor writes a mark, so
   * the next login starts from the mark as it is (an unknown mark taken for a first login would
   * skip everything the resource missed).
   */
  readonly previous: Promise<string[] | undefined>;
  private window: string[] | undefined;
  private early: string[] = [];
  /** Written but not yet acknowledged, by Stream Management sequence (in order). */
  private readonly unacked = new Map<number, string>();
  /** Live messages handed to the stream before its replay; undefined once it ran (or never will). */
  private handedBeforeReplay: Set<string> | undefined;
  private replayClaimed = false;
  /** The previous mark could not be read, or the replay failed: nothing is recorded (see `previous`, `keepPrevious`). */
  private unknown = false;
  private readonly account: string;

  private constructor(private readonly store: LegacyMarkStore, private readonly fullJid: string, account: string, replays: boolean) {
    this.account = account;
    this.handedBeforeReplay = replays ? new Set() : undefined;
    this.replayClaimed = !replays;
    this.previous = store.loadRetrying(fullJid);
    void this.previous.then((ids) => {
      this.window = [...(ids ?? [])];
      const early = this.early;
      this.early = [];
      if (early.length > 0) this.record(early);
    }, () => {
      this.unknown = true;
      this.early = [];
    });
  }

  /** A new RFC 6120 session: its first available presence brings what it missed. */
  static newStream(store: LegacyMarkStore, session: Jid): LegacyMarkTracker {
    return new LegacyMarkTracker(store, session.toString(), session.bare().toString(), true);
  }

  /** A resumed stream (XEP-0198): no replay; what waits in its queue is written again, unacknowledged. */
  static resumedStream(store: LegacyMarkStore, session: Jid, sm: StreamManagement): LegacyMarkTracker {
    const t = new LegacyMarkTracker(store, session.toString(), session.bare().toString(), false);
    for (const u of sm.outboundQueue) {
      const id = deliveredArchiveId(u.el, t.account);
      if (id) t.unacked.set(u.n, id);
    }
    return t;
  }

  /** True once: the caller runs the replay. */
  /** The replay has not started yet: it will bring what is archived after the previous mark. */
  get replayPending(): boolean {
    return !this.replayClaimed;
  }

  claimReplay(): boolean {
    if (this.replayClaimed) return false;
    this.replayClaimed = true;
    return true;
  }

  /** A live stanza handed to the session (before CSI or Stream Management). */
  handed(stanza: Element): void {
    if (!this.handedBeforeReplay) return;
    const id = deliveredArchiveId(stanza, this.account);
    if (id) this.handedBeforeReplay.add(id);
  }

  /** What the replay leaves out (already received), and stops collecting it. */
  takeHanded(): Set<string> {
    const handed = this.handedBeforeReplay ?? new Set<string>();
    this.handedBeforeReplay = undefined;
    return handed;
  }

  /** A stanza went to the socket; with Stream Management it counts once acknowledged. */
  written(stanza: Element, sm: StreamManagement | undefined): void {
    const id = deliveredArchiveId(stanza, this.account);
    if (!id) return;
    const n = sm?.outboundQueue.at(-1)?.n;
    if (n === undefined) this.record([id]);
    else this.unacked.set(n, id);
  }

  /** The client sent `<a h>`: everything before the head of the queue is received. */
  acked(sm: StreamManagement): void {
    const head = sm.outboundQueue[0]?.n ?? Number.POSITIVE_INFINITY;
    const done: string[] = [];
    for (const [n, id] of this.unacked) {
      if (n >= head) break;
      done.push(id);
      this.unacked.delete(n);
    }
    if (done.length > 0) this.record(done);
  }

  /** The client closed the stream cleanly: it read everything written before the server's close. */
  closedCleanly(): void {
    const all = [...this.unacked.values()];
    this.unacked.clear();
    if (all.length > 0) this.record(all);
  }

  /**
   * The replay could not run: nothing this stream receives counts, so that the next login's
   * replay starts from the previous mark and brings what this one could not (again, with the
   * same stanza-ids, for what this stream received live meanwhile).
   */
  keepPrevious(): void {
    this.unknown = true;
    this.early = [];
    this.unacked.clear();
  }

  /** Counts as received without being written: what the replay deliberately leaves out. */
  record(ids: string[]): void {
    if (this.unknown) return;
    if (!this.window) {
      this.early.push(...ids);
      return;
    }
    this.window.push(...ids);
    this.save();
  }

  /**
   * A first login: nothing is replayed, and the next replay starts after `startId` (the newest
   * message in the archive now), or at the beginning of the archive when it was empty.
   */
  begin(startId: string | undefined): void {
    void this.previous.then(() => {
      if (startId) this.window!.unshift(startId);
      this.save();
    }, () => undefined);
  }

  private save(): void {
    const w = this.window!;
    if (w.length > MARK_WINDOW) w.splice(0, w.length - MARK_WINDOW);
    this.store.save(this.fullJid, [...w]);
  }
}
