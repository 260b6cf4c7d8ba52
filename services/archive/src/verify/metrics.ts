import { metrics, type Counter } from '@opentelemetry/api';

/**
 * The verifier's metrics (Prometheus names in parentheses). Created on first use, after the
 * telemetry SDK has started; importing this file has no effect.
 */
interface VerifyMetrics {
  /** Runs by trigger and result (concord_archive_verify_runs_total). */
  runs: Counter;
  /** Events checked against their rows (concord_archive_verify_events_total). */
  checked: Counter;
  /** Holes found, by kind (concord_archive_verify_holes_total). */
  holes: Counter;
  /** Holes repaired, by kind (concord_archive_verify_repaired_total). */
  repaired: Counter;
}

let instruments: VerifyMetrics | undefined;
export function verifyMetrics(): VerifyMetrics {
  const meter = metrics.getMeter('@concord/archive');
  return instruments ??= {
    runs: meter.createCounter('concord_archive_verify_runs', { description: 'Verifications of the archive against the history stream, by trigger (start, cassandra-back) and result' }),
    checked: meter.createCounter('concord_archive_verify_events', { description: 'History events whose rows a verification read back' }),
    holes: meter.createCounter('concord_archive_verify_holes', { description: 'Applied history events whose effect was missing from the archive tables, by kind' }),
    repaired: meter.createCounter('concord_archive_verify_repaired', { description: 'Holes repaired by applying their event again, by kind' }),
  };
}
