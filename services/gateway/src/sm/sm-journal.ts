import { backoffMs, sleep } from '@concord/bus';
import type { Logger } from '@concord/log';
import type { Element } from '@concord/xml';
import { SmStreamMoved, type SmStateRecord, type SmStore } from './sm-store';

/** Longest wait between attempts at a record write that failed (NATS unreachable). */
const RETRY_MAX_MS = 1_000;

export interface JournalOutput {
  /** Writes to the client's socket. */
  send(e: Element): void;
  /** The record was taken over by another resumption: this connection must let the stream go. */
  moved(): void;
}

/**
 * Write-ahead of a resumable stream's record (DESIGN §3.4: SM state is kept as it changes, so
 * that a stream survives its gateway's crash). Everything for the client's socket waits here
 * until a record that counts it is stored, so the record never says less than the client was
 * sent and never less `h` than it was told: a client that acknowledges every stanza it read
 * can always be served by the record. Writes are coalesced — at most one in flight per stream,
 * and what arrives meanwhile (or in the same event-loop turn) goes in the next — so a burst
 * costs one KV put, not one per stanza. Client acks and inbound outcomes alone write nothing:
 * a record that lags on them only re-sends or re-asks a little more on resumption (the router
 * de-duplicates re-sent stanzas), which is safe; one that lags on what was written is not.
 */
export class SmJournal {
  private pending: Element[] = [];
  private dirty = false;
  private scheduled: NodeJS.Immediate | undefined;
  private running: Promise<void> | undefined;
  private ended = false;
  /** Writes completed, so that owned() can tell its own write from another's. */
  private written = 0;

  constructor(
    private readonly store: SmStore,
    readonly smId: string,
    /** The revision this stream last wrote or took (undefined: not written yet). */
    private revision: number | undefined,
    private record: () => SmStateRecord,
    private output: JournalOutput,
    private readonly log: Logger,
  ) {}

  /** Sends `e` once a record covering it is stored. */
  send(e: Element): void {
    if (this.ended) return;
    this.pending.push(e);
    this.touch();
  }

  /** The state changed with nothing to send (the stream hibernates): store it anyway. */
  touch(): void {
    if (this.ended) return;
    this.dirty = true;
    if (this.running || this.scheduled) return;
    // One turn's stanzas (e.g. a batch of deliveries read from NATS at once) share one write.
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.start();
    });
  }

  private start(): void {
    this.running = this.run().finally(() => {
      this.running = undefined;
      // Handed in after the loop's last look, before this: it must not wait for the next touch.
      if (this.dirty) this.touch();
    });
  }

  /** The stream goes on on a new connection (resumption on this node). */
  rebind(output: JournalOutput, record: () => SmStateRecord): void {
    // What the old connection had not written yet is in the SM queue: resumption re-sends it.
    this.pending = [];
    this.output = output;
    this.record = record;
  }

  /**
   * Resolves when everything handed in so far is stored and sent, or after `maxMs` (a shutdown
   * while NATS is unreachable must end: the stored record stays consistent with what was sent).
   */
  async settle(maxMs = Number.POSITIVE_INFINITY): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = Number.isFinite(maxMs) ? new Promise<void>((r) => (timer = setTimeout(r, maxMs))) : undefined;
    await (late ? Promise.race([this.drain(), late]) : this.drain());
    clearTimeout(timer);
  }

  private async drain(): Promise<void> {
    while (this.scheduled || this.running) {
      if (this.scheduled) {
        clearImmediate(this.scheduled);
        this.scheduled = undefined;
        this.start();
      }
      await this.running;
    }
  }

  /** The session ended for good: nothing more is written, and the record is deleted unless the stream moved. */
  async end(deleteRecord: boolean): Promise<void> {
    this.ended = true;
    this.pending = [];
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    await this.running;
    if (deleteRecord) await this.store.forget(this.smId, this.revision);
  }

  /**
   * False when another resumption took the record over (or took it and ended): for a stream that
   * may sit idle here — hibernating, or on a connection whose peer is gone unnoticed — while it
   * goes on elsewhere, so that this node stops claiming it in the session registry. A write in
   * flight, or a failure to read, counts as still owned (the next write finds out for sure).
   */
  async owned(): Promise<boolean> {
    if (this.ended) return false;
    if (this.revision === undefined || this.running) return true;
    const before = this.written;
    const last = await this.store.revisionOf(this.smId).catch(() => this.revision);
    return last === this.revision || this.written !== before || this.running !== undefined;
  }

  private async run(): Promise<void> {
    while (this.dirty && !this.ended) {
      this.dirty = false;
      const batch = this.pending;
      this.pending = [];
      // Taken together with the batch: the record counts exactly what is sent after it.
      const record = this.record();
      // The batch belongs to the connection it was handed in by, even if the stream moves on meanwhile.
      const output = this.output;
      if (!await this.write(record)) return;
      for (const e of batch) output.send(e);
    }
  }

  private async write(record: SmStateRecord): Promise<boolean> {
    for (let attempt = 1; !this.ended; attempt++) {
      try {
        this.revision = await this.store.write(this.smId, record, this.revision);
        this.written++;
        return true;
      } catch (err) {
        if (err instanceof SmStreamMoved) {
          this.ended = true;
          this.output.moved();
          return false;
        }
        // Held, not sent unrecorded: the stanzas wait (the SM queue bounds them) until NATS is back.
        this.log.warn({ err: (err as Error).message, sm: this.smId, attempt }, 'could not store Stream Management state; retrying');
        await sleep(backoffMs({ firstMs: 50, maxMs: RETRY_MAX_MS }, attempt));
      }
    }
    return false;
  }
}
