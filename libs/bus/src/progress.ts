/**
 * The stream sequence through which a durable consumer has handled every message: its
 * acknowledged floor, or, with nothing pending and nothing unacknowledged, everything it was
 * delivered (the floor alone lags behind an idle consumer whose stream skipped sequences).
 */
export function handledThrough(c: { num_pending: number; num_ack_pending: number; delivered: { stream_seq: number }; ack_floor: { stream_seq: number } }): number {
  return c.num_pending === 0 && c.num_ack_pending === 0 ? Math.max(c.delivered.stream_seq, c.ack_floor.stream_seq) : c.ack_floor.stream_seq;
}
