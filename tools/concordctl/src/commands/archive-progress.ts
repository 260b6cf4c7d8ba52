import type { ApplyResult } from '@concord/archive';

/** What became of one event read from the history stream. */
export type ReplayOutcome = ApplyResult | 'other-account' | 'undecodable';

/**
 * A pass over the history stream (a rebuild, a verification): prints a progress line at most
 * every `everyMs`, with the position (stream sequence) read so far against the last one the
 * pass goes to, what `detail` says, and the rate.
 */
export class StreamProgress {
  read = 0;
  position = 0;
  private lastLine: number;
  private readonly started: number;

  constructor(
    private readonly out: (s: string) => void,
    private readonly lastSeq: number,
    private readonly detail: () => string,
    private readonly everyMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {
    this.started = this.lastLine = now();
  }

  /** An event was read at `seq`. */
  readAt(seq: number): void {
    this.read++;
    this.position = seq;
    if (this.now() - this.lastLine >= this.everyMs) {
      this.lastLine = this.now();
      const share = this.lastSeq > 0 ? ` (${Math.min(100, Math.floor((100 * seq) / this.lastSeq))}%)` : '';
      this.out(`position ${seq} of ${this.lastSeq}${share}: ${this.read} events read, ${this.detail()}, ${this.rate()} events/s`);
    }
  }

  seconds(): string {
    return ((this.now() - this.started) / 1000).toFixed(1);
  }

  rate(): number {
    const seconds = (this.now() - this.started) / 1000;
    return seconds > 0 ? Math.round(this.read / seconds) : this.read;
  }
}

/** Counts a rebuild's events by outcome, with its progress lines. */
export class RebuildProgress {
  private readonly stream: StreamProgress;
  private readonly outcomes = new Map<ReplayOutcome, number>();

  constructor(out: (s: string) => void, lastSeq: number, everyMs = 2_000, now: () => number = Date.now) {
    this.stream = new StreamProgress(out, lastSeq, () => `${this.applied()} applied`, everyMs, now);
  }

  readAt(seq: number): void {
    this.stream.readAt(seq);
  }

  counted(outcome: ReplayOutcome): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  /** The closing line. */
  summary(): string {
    const by = (['written', 'duplicate', 'expired', 'retracted', 'deleted', 'ignored'] as const).map((k) => `${k} ${this.outcomes.get(k) ?? 0}`).join(', ');
    const skipped = this.outcomes.get('other-account') ?? 0;
    const bad = this.outcomes.get('undecodable') ?? 0;
    return `rebuilt: ${this.stream.read} events read up to position ${this.stream.position}, ${this.applied()} applied (${by})` +
      `${skipped ? `, ${skipped} of other accounts skipped` : ''}${bad ? `, ${bad} undecodable skipped` : ''}` +
      ` in ${this.stream.seconds()}s (${this.stream.rate()} events/s)`;
  }

  private applied(): number {
    let n = 0;
    for (const [k, v] of this.outcomes) if (k !== 'other-account' && k !== 'undecodable') n += v;
    return n;
  }
}
