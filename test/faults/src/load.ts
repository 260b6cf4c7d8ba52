/**
 * Steady load: each sender sends `rate` persistent chat messages a second (paced by the clock,
 * not by acks) to the recipients' bare JIDs in turn, and asks for an ack after each batch.
 * Recipients stay online the whole time. Waits are on the devices' progress events.
 */
import { Device, type Server } from './device';

const TICK_MS = 50;

export interface Sent {
  sender: number;
  recipient: number;
  /** When the load made it (sent at once, or kept until the stream was back). */
  at: number;
}

export class Load {
  /** origin-id → who sent it to whom. */
  readonly sent = new Map<string, Sent>();
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private readonly counts: number[];

  private constructor(readonly run: string, readonly senders: Device[], readonly recipients: Device[], readonly rate: number) {
    this.counts = senders.map(() => 0);
  }

  static async connect(run: string, server: Server, password: string, pairs: number, rate: number): Promise<Load> {
    const connect = (role: string, i: number) => Device.connect(`${role}${i}`, server, `${run}_${role}${i}`, password);
    const senders = await Promise.all(Array.from({ length: pairs }, (_, i) => connect('s', i)));
    const recipients = await Promise.all(Array.from({ length: pairs }, (_, i) => connect('r', i)));
    return new Load(run, senders, recipients, rate);
  }

  static accounts(run: string, pairs: number): string[] {
    return ['s', 'r'].flatMap((role) => Array.from({ length: pairs }, (_, i) => `${run}_${role}${i}`));
  }

  get devices(): Device[] {
    return [...this.senders, ...this.recipients];
  }

  start(): void {
    this.t0 = Date.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const due = Math.floor(((Date.now() - this.t0) / 1000) * this.rate);
    this.senders.forEach((s, i) => {
      if (this.counts[i]! >= due) return;
      for (; this.counts[i]! < due; this.counts[i]!++) {
        const n = this.counts[i]!;
        const recipient = (i + n) % this.recipients.length;
        const id = `${this.run}-${i}-${n}`;
        this.sent.set(id, { sender: i, recipient, at: Date.now() });
        s.send(s.message(this.recipients[recipient]!.jid, id));
      }
      s.requestAck();
    });
  }

  acked(): number {
    return this.senders.reduce((n, s) => n + s.acked.size, 0);
  }

  /** Resolves true once every sender has an ack that arrived after `t`; false after the timeout. */
  acksAfter(t: number, timeoutMs: number): Promise<boolean> {
    return this.wait(() => this.senders.every((s) => (s.ackTimes.at(-1) ?? 0) > t), timeoutMs);
  }

  allAcked(timeoutMs: number): Promise<boolean> {
    return this.wait(() => this.acked() >= this.sent.size, timeoutMs);
  }

  /** Every acked message has reached its recipient. */
  allDelivered(timeoutMs: number): Promise<boolean> {
    return this.wait(() => this.undelivered().length === 0, timeoutMs);
  }

  undelivered(): string[] {
    const out: string[] = [];
    for (const s of this.senders) {
      for (const id of s.acked.keys()) if (!this.recipients[this.sent.get(id)!.recipient]!.received.has(id)) out.push(id);
    }
    return out;
  }

  /** Seconds from `t` until every sender had an ack again (undefined: not all did). */
  recoveryAfter(t: number): number | undefined {
    let worst = 0;
    for (const s of this.senders) {
      const first = s.ackTimes.find((a) => a > t);
      if (first === undefined) return undefined;
      worst = Math.max(worst, first - t);
    }
    return worst / 1000;
  }

  /** Seconds from making a message to its ack: median and worst (a saturated machine shows here). */
  ackLatency(): { p50: number; max: number } {
    const all = this.senders.flatMap((s) => [...s.acked].map(([id, t]) => (t - this.sent.get(id)!.at) / 1000)).sort((a, b) => a - b);
    return { p50: all[Math.floor(all.length / 2)] ?? 0, max: all.at(-1) ?? 0 };
  }

  private wait(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        finish(true);
      };
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        for (const d of this.devices) d.off('progress', check);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      for (const d of this.devices) d.on('progress', check);
    });
  }

  async close(): Promise<void> {
    this.stop();
    await Promise.all(this.devices.map((d) => d.close()));
  }
}
