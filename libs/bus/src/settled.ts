/**
 * The contiguous settled floor of a consumer: every stream sequence delivered up to the floor
 * has been handled (acked, retried later or dropped). Messages are handled out of order across
 * lanes; readers that must not miss anything (the archive's committed watermark) follow the floor.
 *
 * Sequences above the floor wait in ascending order (a consumer delivers new sequences in
 * ascending order, and a redelivery is of one still waiting or already below the floor), so
 * settling costs amortized O(1) whatever the number in flight.
 */
export class SettledFloor {
  private floor = 0;
  /** Delivered and not yet settled, with how many deliveries of that sequence are in hand. */
  private readonly pending = new Map<number, number>();
  /** Sequences above the floor, ascending from `head`; those not pending are settled. */
  private waiting: number[] = [];
  private head = 0;
  private readonly queued = new Set<number>();

  constructor(private readonly onAdvance: (floor: number) => void = () => undefined) {}

  get position(): number {
    return this.floor;
  }

  started(seq: number): void {
    this.pending.set(seq, (this.pending.get(seq) ?? 0) + 1);
    this.enqueue(seq);
  }

  settled(seq: number): void {
    const left = (this.pending.get(seq) ?? 1) - 1;
    if (left > 0) return void this.pending.set(seq, left);
    this.pending.delete(seq);
    this.enqueue(seq);
    let next = this.floor;
    while (this.head < this.waiting.length && !this.pending.has(this.waiting[this.head]!)) {
      next = this.waiting[this.head++]!;
      this.queued.delete(next);
    }
    // Drop the consumed prefix now and then, not on every step.
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    if (next > this.floor) {
      this.floor = next;
      this.onAdvance(next);
    }
  }

  private enqueue(seq: number): void {
    if (seq <= this.floor || this.queued.has(seq)) return;
    this.queued.add(seq);
    const w = this.waiting;
    if (w.length === this.head || w[w.length - 1]! < seq) return void w.push(seq);
    // Out of order (not expected from a consumer): keep the order by inserting in place.
    let lo = this.head;
    let hi = w.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (w[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    w.splice(lo, 0, seq);
  }
}
