import { serialize, type Element } from '@concord/xml';

/** XEP-0198 counters wrap at 2^32. */
const MOD = 2 ** 32;

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
export class StreamManagement {
  private received = 0;
  private handled = 0;
  private readonly finalOutOfOrder = new Set<number>();
  private readonly waiting: { upTo: number; timer: NodeJS.Timeout }[] = [];
  private sent = 0;
  private acked = 0;
  private readonly unacked: { n: number; el: Element }[] = [];
  private sinceRequest = 0;

  constructor(
    readonly id: string,
    readonly resumable: boolean,
    private readonly opts: { ackHoldMaxMs: number; maxQueue: number; requestEvery: number },
    private callbacks: SmCallbacks,
  ) {}

  get inboundHandled(): number {
    return this.handled % MOD;
  }

  get outboundQueue(): readonly { n: number; el: Element }[] {
    return this.unacked;
  }

  /** A new inbound stanza; returns its sequence number (1-based) for finalize(). */
  inbound(): number {
    return ++this.received;
  }

  /** The outcome of stanza `n` is final. */
  finalize(n: number): void {
    if (n <= this.handled) return;
    this.finalOutOfOrder.add(n);
    while (this.finalOutOfOrder.delete(this.handled + 1)) this.handled++;
    this.answerWaiting(false);
  }

  /** The client sent <r/>. */
  request(): void {
    if (this.handled >= this.received) return this.callbacks.sendAck(this.inboundHandled);
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
    if (answer) this.callbacks.sendAck(this.inboundHandled);
  }

  /** A stanza was written to the client. Returns false when the queue overflowed. */
  outbound(el: Element): boolean {
    this.sent++;
    this.unacked.push({ n: this.sent, el });
    if (++this.sinceRequest >= this.opts.requestEvery) {
      this.sinceRequest = 0;
      this.callbacks.requestAck();
    }
    return this.unacked.length <= this.opts.maxQueue;
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
    while (this.unacked.length > 0 && this.unacked[0]!.n <= this.acked) this.unacked.shift();
    return true;
  }

  /** Stanzas to re-send after the client says it handled `h` (resumption). */
  resendAfter(h: number): Element[] | undefined {
    if (!this.ack(h)) return undefined;
    return this.unacked.map((u) => u.el);
  }

  /** What is needed to resume this stream elsewhere (another process, after a restart). */
  snapshot(): { inboundHandled: number; outboundSent: number; outboundAcked: number; unacked: string[] } {
    return { inboundHandled: this.handled, outboundSent: this.sent, outboundAcked: this.acked, unacked: this.unacked.map((u) => serialize(u.el)) };
  }

  /** A stream restored from a snapshot: its inbound stanzas all count as handled. */
  static restore(
    id: string,
    snap: { inboundHandled: number; outboundSent: number; outboundAcked: number; unacked: Element[] },
    opts: { ackHoldMaxMs: number; maxQueue: number; requestEvery: number },
    callbacks: SmCallbacks,
  ): StreamManagement {
    const sm = new StreamManagement(id, true, opts, callbacks);
    sm.received = sm.handled = snap.inboundHandled;
    sm.sent = snap.outboundSent;
    sm.acked = snap.outboundAcked;
    const first = snap.outboundSent - snap.unacked.length + 1;
    snap.unacked.forEach((el, i) => sm.unacked.push({ n: first + i, el }));
    return sm;
  }

  /**
   * Moves the stream to a new connection (resumption). Inbound stanzas whose outcome was still
   * pending count as not handled: their outcomes are addressed to the old connection, and the
   * client re-sends what `h` does not cover (the router de-duplicates by origin-id).
   */
  rebind(callbacks: SmCallbacks): void {
    this.callbacks = callbacks;
    for (const w of this.waiting.splice(0)) clearTimeout(w.timer);
    this.received = this.handled;
    this.finalOutOfOrder.clear();
  }

  dispose(): void {
    for (const w of this.waiting.splice(0)) clearTimeout(w.timer);
  }
}
