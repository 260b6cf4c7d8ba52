import type { Element } from '@concord/xml';
import { pushRecent, queuedOf, type Reference, type SmQueued } from './sm-record';

/** XEP-0198 counters wrap at 2^32. */
const MOD = 2 ** 32;

/**
 * While an <r/> is held for pending stanzas, `h` progress is sent unasked this often at most
 * (XEP-0198 §4 lets either party send <a/> at any time): a client that sent a burst (its backlog
 * after a reconnection, say) sees each message acked once archived, not all of them once the
 * last one is.
 */
const PROGRESS_ACK_MS = 500;

export interface SmCallbacks {
  /** Write <a h='…'/>. */
  sendAck(h: number): void;
  /** Write <r/>. */
  requestAck(): void;
}

/**
 * Stream Management for one stream. Inbound: `h` counts handled stanzas and advances strictly
 * in order, each stanza only once its outcome is final (archived, or handled by the router);
 * an <r/> is answered when every stanza received before it is final, or after `ackHoldMaxMs`
 * with what is final by then. Outbound: unacknowledged stanzas are kept for resumption.
 */
export interface SmOptions {
  ackHoldMaxMs: number;
  /** Unacknowledged outbound stanzas kept; one more overflows the queue. */
  maxQueue: number;
  /** Their bytes (as serialized); more overflows the queue. */
  maxQueueBytes: number;
  requestEvery: number;
}

export class StreamManagement {
  private received = 0;
  private handled = 0;
  private readonly finalOutOfOrder = new Set<number>();
  private readonly waiting: { upTo: number; timer: NodeJS.Timeout }[] = [];
  private sent = 0;
  private acked = 0;
  private readonly unacked: Outbound[] = [];
  private unackedBytes = 0;
  /** Archive IDs of the last archived messages counted outbound (sm-record.ts). */
  private readonly recent: string[] = [];
  private sinceRequest = 0;
  /** Counts rebinds: an outcome for a stanza of an earlier connection must not finalize this one's. */
  private rebinds = 0;
  /** `handled` when the last <a/> went out, and the pending progress ack (PROGRESS_ACK_MS). */
  private handledAcked = 0;
  private progressTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly resumable: boolean,
    private readonly opts: SmOptions,
    private callbacks: SmCallbacks,
  ) {}

  get inboundHandled(): number {
    return this.handled % MOD;
  }

  get outboundQueue(): readonly Outbound[] {
    return this.unacked;
  }

  /** Which connection the stream is on (changes at each rebind); see finalize(). */
  get epoch(): number {
    return this.rebinds;
  }

  /** A new inbound stanza; returns its sequence number (1-based) for finalize(). */
  inbound(): number {
    return ++this.received;
  }

  /**
   * The outcome of stanza `n` is final. An outcome for a stanza received before the last rebind
   * is ignored: the new connection numbers its stanzas from the same `h`, and the client re-sends
   * what `h` did not cover.
   */
  finalize(n: number, epoch = this.rebinds): void {
    if (epoch !== this.rebinds || n <= this.handled) return;
    this.finalOutOfOrder.add(n);
    while (this.finalOutOfOrder.delete(this.handled + 1)) this.handled++;
    this.answerWaiting(false);
    if (this.waiting.length > 0 && this.handled > this.handledAcked) this.progressSoon();
  }

  /** The client sent <r/>. */
  request(): void {
    if (this.handled >= this.received) return this.sendAck();
    const upTo = this.received;
    const timer = setTimeout(() => this.answerWaiting(true), this.opts.ackHoldMaxMs);
    timer.unref();
    this.waiting.push({ upTo, timer });
  }

  private answerWaiting(timedOut: boolean): void {
    let answer = false;
    while (this.waiting.length > 0 && (timedOut || this.handled >= this.waiting[0]!.upTo)) {
      clearTimeout(this.waiting.shift()!.timer);
      answer = true;
      timedOut = false;
    }
    if (answer) this.sendAck();
  }

  private progressSoon(): void {
    if (this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      if (this.handled > this.handledAcked) this.sendAck();
    }, PROGRESS_ACK_MS);
    this.progressTimer.unref();
  }

  private sendAck(): void {
    this.handledAcked = this.handled;
    this.callbacks.sendAck(this.inboundHandled);
  }

  /**
   * A stanza goes to the client (`ref`: the archived message it is a form of; `bytes`: its size
   * as written). Returns false when the queue overflowed, in count or in bytes.
   */
  outbound(el: Element, ref?: Reference, bytes = 0): boolean {
    this.sent++;
    this.unacked.push({ n: this.sent, el, ref, bytes });
    this.unackedBytes += bytes;
    if (ref) pushRecent(this.recent, ref.archiveId);
    if (++this.sinceRequest >= this.opts.requestEvery) {
      this.sinceRequest = 0;
      this.callbacks.requestAck();
    }
    return this.unacked.length <= this.opts.maxQueue && this.unackedBytes <= this.opts.maxQueueBytes;
  }

  /**
   * The client acknowledged `h` outbound stanzas. Returns false when `h` is impossible (more
   * than was sent), which XEP-0198 §4 answers with an undefined-condition stream error.
   */
  ack(h: number): boolean {
    if (!Number.isInteger(h) || h < 0 || h >= MOD) return false;
    if (this.sent < MOD && h > this.sent) return false;
    // The absolute count whose 32-bit value is h, at most what was sent.
    const acked = this.sent - (((this.sent - h) % MOD) + MOD) % MOD;
    this.acked = Math.max(this.acked, acked);
    while (this.unacked.length > 0 && this.unacked[0]!.n <= this.acked) this.unackedBytes -= this.unacked.shift()!.bytes;
    return true;
  }

  /** Stanzas to re-send after the client says it handled `h` (resumption). */
  resendAfter(h: number): Element[] | undefined {
    if (!this.ack(h)) return undefined;
    return this.unacked.map((u) => u.el);
  }

  /** What is needed to resume this stream elsewhere (another process, after a restart or a crash). */
  snapshot(): StreamSnapshot {
    return {
      inboundHandled: this.handled, outboundSent: this.sent, outboundAcked: this.acked,
      queued: this.unacked.map((u) => (u.saved ??= queuedOf(u.el, u.ref))), recentArchiveIds: [...this.recent],
    };
  }

  /**
   * A stream restored from a record (sm-record.ts resendPlan): the client handled `acked`
   * outbound stanzas, `resend` follow, numbered from there; its inbound stanzas all count as handled.
   */
  static restore(
    id: string,
    state: { inboundHandled: number; acked: number; resend: { el: Element; ref: Reference | undefined }[]; recentArchiveIds: string[] },
    opts: SmOptions,
    callbacks: SmCallbacks,
  ): StreamManagement {
    const sm = new StreamManagement(id, true, opts, callbacks);
    sm.received = sm.handled = sm.handledAcked = state.inboundHandled;
    sm.acked = state.acked;
    sm.sent = state.acked + state.resend.length;
    // Their sizes are not in the record: they count in number only (the record was bounded when written).
    state.resend.forEach((r, i) => sm.unacked.push({ n: state.acked + 1 + i, el: r.el, ref: r.ref, bytes: 0 }));
    sm.recent.push(...state.recentArchiveIds);
    return sm;
  }

  /**
   * Moves the stream to a new connection (resumption). Inbound stanzas whose outcome was still
   * pending count as not handled: their outcomes are addressed to the old connection, and the
   * client re-sends what `h` does not cover (the router de-duplicates by origin-id).
   */
  rebind(callbacks: SmCallbacks): void {
    this.callbacks = callbacks;
    this.rebinds++;
    this.dispose();
    this.received = this.handledAcked = this.handled;
    this.finalOutOfOrder.clear();
  }

  dispose(): void {
    for (const w of this.waiting.splice(0)) clearTimeout(w.timer);
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
  }
}

/** A stanza counted outbound and not acknowledged yet. */
export interface Outbound {
  n: number;
  el: Element;
  ref: Reference | undefined;
  /** Its size as written (0 when not known: a stanza restored from a record). */
  bytes: number;
  /** How the record keeps it, made at the first write of the record. */
  saved?: SmQueued;
}

export interface StreamSnapshot {
  inboundHandled: number;
  outboundSent: number;
  outboundAcked: number;
  queued: SmQueued[];
  recentArchiveIds: string[];
}
