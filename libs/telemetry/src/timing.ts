/** A monotonic start time for a latency measurement. */
export function startTimer(): bigint {
  return process.hrtime.bigint();
}

/** Seconds since `start`: Prometheus histograms are in seconds. */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
