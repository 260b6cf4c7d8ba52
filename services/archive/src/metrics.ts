import { metrics, SpanKind, type Histogram } from '@opentelemetry/api';
import type { HistoryEvent } from '@concord/events';
import { concord } from '@concord/proto';
import { inSpan, secondsSince, startTimer } from '@concord/telemetry';
import type { ArchiveStore } from '@concord/storage';

const Kind = concord.events.v1.HistoryEvent_Kind;

/** Span attributes of an archive write; the runbook names them. */
export const ArchiveAttr = {
  owner: 'concord.owner',
  archiveId: 'concord.archive_id',
  originId: 'concord.origin_id',
  inboundId: 'concord.inbound_id',
  position: 'concord.position',
  result: 'concord.result',
  /** Whether the write looked its archive ID up first ('read') or had the router's proof ('skip'). */
  idIndex: 'concord.id_index',
} as const;

/**
 * The archive's metrics (Prometheus names in parentheses). Created on first use, after the
 * telemetry SDK has started; importing this file has no effect.
 */
interface ArchiveMetrics {
  /** One history event applied to Cassandra (concord_archive_write_duration_seconds), by kind and result. */
  writeDuration: Histogram;
}

let instruments: ArchiveMetrics | undefined;
function archiveMetrics(): ArchiveMetrics {
  return instruments ??= {
    writeDuration: metrics.getMeter('@concord/archive').createHistogram('concord_archive_write_duration_seconds', {
      description: 'Time to apply one history event to the archive tables',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] },
    }),
  };
}

function operationOf(e: HistoryEvent): string {
  if (e.kind === Kind.KIND_RETRACT) return 'retract';
  if (e.kind === Kind.KIND_DELETE_ARCHIVE) return 'delete';
  return 'message';
}

/**
 * Runs one archive write inside a CLIENT span with the database semantic attributes and the
 * message's identifiers (so its trace can be found from its archive ID), and records its
 * latency. The driver's own spans (one per request, from its instrumentation) are its children.
 */
export async function timedWrite<R extends string>(store: ArchiveStore, e: HistoryEvent, position: number, write: () => Promise<R>): Promise<R> {
  const operation = operationOf(e);
  const started = startTimer();
  let result = 'failed';
  try {
    return await inSpan(`cassandra write ${operation}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'cassandra',
        'db.namespace': store.client.keyspace ?? '',
        'db.operation.name': operation,
        [ArchiveAttr.owner]: e.owner,
        [ArchiveAttr.archiveId]: e.kind === Kind.KIND_RETRACT ? e.targetArchiveId : e.archiveId,
        [ArchiveAttr.originId]: e.originId,
        [ArchiveAttr.inboundId]: e.inboundId,
        [ArchiveAttr.position]: position,
      },
    }, async (span) => {
      result = await write();
      span.setAttribute(ArchiveAttr.result, result);
      return result as R;
    });
  } finally {
    archiveMetrics().writeDuration.record(secondsSince(started), { kind: operation, result });
  }
}
