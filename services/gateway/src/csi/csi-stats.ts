/**
 * What the CSI queues of this process hold, for the gateway's gauges: stanzas held for
 * inactive clients, and sessions that are inactive. Each gate reports its own changes.
 */
export class CsiStats {
  held = 0;
  inactiveSessions = 0;
  /** Largest number of stanzas one queue has held since the last read of it. */
  private peak = 0;

  change(heldDelta: number, inactiveDelta: number, queueSize: number): void {
    this.held += heldDelta;
    this.inactiveSessions += inactiveDelta;
    this.peak = Math.max(this.peak, queueSize);
  }

  takePeak(): number {
    const p = this.peak;
    this.peak = 0;
    return p;
  }
}

/** One per process, like the meter the gauges are read from. */
export const processCsiStats = new CsiStats();
