import type { Bus } from '@concord/bus';
import type { Logger } from '@concord/log';

/** How often the router reads the archive consumer's progress. */
const POLL_MS = 1_000;
/** Readings older than this prove nothing the archive would accept (it wants recent ones). */
const KEEP_MS = 10 * 60_000;

/**
 * A lower bound on how far the archive has applied the history stream, as a time: every
 * history event stored before `ms` (this process's clock) had been applied when the bound was
 * learned. Built from readings of the stream's last sequence (taken at a known time, so every
 * event stored before that time is at or below it) and later readings of the archive
 * consumer's acknowledged floor. Pure bookkeeping; `watchAppliedThrough` feeds it.
 */
export class AppliedThrough {
  private readonly samples: { atMs: number; lastSeq: number }[] = [];
  private through = 0;

  /** Milliseconds; 0 until a reading of the stream has been covered by the consumer's floor. */
  get ms(): number {
    return this.through;
  }

  /** The stream's last sequence, read by a request sent at `atMs`. */
  sampled(atMs: number, lastSeq: number): void {
    this.samples.push({ atMs, lastSeq });
    while (this.samples.length > 0 && this.samples[0]!.atMs < atMs - KEEP_MS) this.samples.shift();
  }

  /** The archive consumer has applied every event up to `floor` (read after the samples it covers). */
  applied(floor: number): void {
    while (this.samples.length > 0 && this.samples[0]!.lastSeq <= floor) this.through = Math.max(this.through, this.samples.shift()!.atMs);
  }
}

/**
 * Keeps `through` current: now (resolving after the first reading), then once a second, the history stream's last sequence, then the
 * archive consumer's floor. A failed reading leaves the bound where it was; it only grows
 * stale, and a stale bound proves nothing (the archive then reads its ID index as before).
 */
export async function watchAppliedThrough(bus: Bus, through: AppliedThrough, log: Logger): Promise<{ stop(): void }> {
  const stream = bus.names.stream('history');
  const durable = bus.names.durable('archive', 'history');
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    try {
      const atMs = Date.now();
      through.sampled(atMs, (await bus.jsm.streams.info(stream)).state.last_seq);
      const c = await bus.jsm.consumers.info(stream, durable);
      // Nothing pending or unacknowledged: everything the stream held at this reading is applied.
      through.applied(c.num_pending === 0 && c.num_ack_pending === 0 ? Math.max(c.delivered.stream_seq, c.ack_floor.stream_seq) : c.ack_floor.stream_seq);
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'could not read the archive consumer\'s progress');
    }
    if (!stopped) timer = setTimeout(() => void poll(), POLL_MS).unref();
  };
  // The first reading before routing starts, so that the first messages carry a proof too.
  await poll();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
