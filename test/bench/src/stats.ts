/** Latency samples in milliseconds → percentiles. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Row {
  bench: string;
  ops: number;
  seconds: number;
  p50?: number;
  p99?: number;
  /** A measured quantity that is not a rate (e.g. memory per session); `seconds: 0` leaves ops/s empty. */
  value?: string;
  note?: string;
}

export function summarize(bench: string, latencies: number[], seconds: number, note?: string): Row {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { bench, ops: latencies.length, seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), ...(note ? { note } : {}) };
}

export function table(rows: Row[]): string {
  // The value column appears only when a row has one, so rate-only tables keep their shape.
  const withValue = rows.some((r) => r.value !== undefined);
  const head = ['benchmark', 'ops', 'ops/s', 'p50 ms', 'p99 ms', ...(withValue ? ['value'] : []), 'note'];
  const body = rows.map((r) => [
    r.bench, String(r.ops), r.seconds > 0 ? (r.ops / r.seconds).toFixed(0) : '',
    r.p50 === undefined ? '' : r.p50.toFixed(2), r.p99 === undefined ? '' : r.p99.toFixed(2),
    ...(withValue ? [r.value ?? ''] : []), r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Runs `op` `count` times with at most `concurrency` in flight; returns per-op latencies. */
export async function runConcurrent(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = new Array(count);
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const s = process.hrtime.bigint();
      await op(i);
      latencies[i] = Number(process.hrtime.bigint() - s) / 1e6;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}
