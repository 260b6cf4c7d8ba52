import type { Instrumentation } from '@opentelemetry/instrumentation';
import { CassandraDriverInstrumentation } from '@opentelemetry/instrumentation-cassandra-driver';

/** Prefix of the spans the Cassandra driver instrumentation creates (cassandra-driver.execute, .batch, .stream). */
export const DRIVER_SPAN_PREFIX = 'cassandra-driver.';

/**
 * The instrumentations of the libraries Concord uses, enabled on creation: from then on a
 * `require` of those libraries is patched. A library loaded before this call stays
 * uninstrumented, so a service's main calls it before it loads anything that loads the
 * driver (its config module included), and hands the result to startTelemetry.
 *
 * Only the Cassandra driver: Concord makes its own spans for NATS (trace context in message
 * headers) and for gRPC (one span per call, with the caller).
 */
export function instrumentLibraries(): Instrumentation[] {
  // No CQL text on spans: the statements are fixed, and values would leak message content.
  return [new CassandraDriverInstrumentation({ enhancedDatabaseReporting: false })];
}
