/**
 * The contiguous settled floor of a consumer: every stream sequence delivered up to the floor
 * has been handled (acked, retried later or dropped). Messages are handled out of order across
 * lanes; readers that must not miss anything (the archive's committed watermark) follow the floor.
 */
export class SettledFloor {
  private floor = 0;
  /** Delivered and not yet settled, with how many deliveries of that sequence are in hand. */
  private readonly pending = new Map<number, number>();
  /** Settled above the floor, waiting for an earlier sequence. */
  private readonly settledAbove = new Set<number>();

  constructor(private readonly onAdvance: (floor: number) => void = () => undefined) {}

  get position(): number {
    return this.floor;
  }

  started(seq: number): void {
    this.pending.set(seq, (this.pending.get(seq) ?? 0) + 1);
  }

  settled(seq: number): void {
    const left = (this.pending.get(seq) ?? 1) - 1;
    if (left > 0) return void this.pending.set(seq, left);
    this.pending.delete(seq);
    if (seq <= this.floor) return;
    this.settledAbove.add(seq);
    const lowestPending = this.pending.size > 0 ? Math.min(...this.pending.keys()) : Infinity;
    let next = this.floor;
    for (const s of [...this.settledAbove].sort((a, b) => a - b)) {
      if (s > lowestPending) break;
      next = s;
      this.settledAbove.delete(s);
    }
    if (next > this.floor) {
      this.floor = next;
      this.onAdvance(next);
    }
  }
}
