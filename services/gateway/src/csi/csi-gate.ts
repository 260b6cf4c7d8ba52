import type { Element } from '@concord/xml';
import { CsiQueue } from './csi-queue';
import { processCsiStats } from './csi-stats';

export interface CsiOutput {
  /** Writes one stanza to the client (through Stream Management). */
  write(stanza: Element): void;
  /** The session's CSI state changed: the session registry must say so. */
  changed(): void;
}

/** The connection's hook for XEP-0352: its CSI state, and the queue stanzas pass through. */
export class CsiGate {
  private readonly queue = new CsiQueue();
  /** What this gate last reported to the process's CSI gauges. */
  private reported = { held: 0, inactive: false };

  constructor(private readonly out: CsiOutput) {}

  get inactive(): boolean {
    return this.queue.inactive;
  }

  /** The state asked for inline in Bind2 (XEP-0386), once the session is set up. */
  initial(inactive: boolean): void {
    this.set(inactive);
  }

  /** `<active/>` or `<inactive/>` from the client. */
  nonza(name: string): void {
    this.set(name === 'inactive');
  }

  private set(inactive: boolean): void {
    const was = this.queue.inactive;
    for (const s of this.queue.setInactive(inactive)) this.out.write(s);
    if (was !== inactive) this.out.changed();
    this.report(this.queue.inactive);
  }

  deliver(stanza: Element, urgent: boolean): void {
    for (const s of this.queue.offer(stanza, urgent)) this.out.write(s);
    this.report(this.queue.inactive);
  }

  /** The stream is going away: what was held goes into the Stream Management queue (resent on resumption). */
  flush(): void {
    for (const s of this.queue.take()) this.out.write(s);
    this.report(false);
  }

  private report(inactive: boolean): void {
    const held = this.queue.size;
    processCsiStats.change(held - this.reported.held, Number(inactive) - Number(this.reported.inactive), held);
    this.reported = { held, inactive };
  }
}
