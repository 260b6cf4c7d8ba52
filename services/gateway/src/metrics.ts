import { metrics, type Counter, type Histogram, type UpDownCounter } from '@opentelemetry/api';
import type { Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { processCsiStats } from './csi/csi-stats';

/**
 * The gateway's metrics (Prometheus names in parentheses). Instruments are created lazily, after
 * the telemetry SDK has started, so importing this file has no effect.
 */
export interface GatewayMetrics {
  /** Open client connections (concord_gateway_connections), by transport. */
  connections: UpDownCounter;
  /** Stanzas from clients (concord_gateway_stanzas_in_total), by stanza name and verdict. */
  stanzasIn: Counter;
  /** Stanzas written to clients (concord_gateway_stanzas_out_total). */
  stanzasOut: Counter;
  /** SASL failures (concord_gateway_auth_failures_total), by condition. */
  authFailures: Counter;
  /** Streams ended with a stream error (concord_gateway_stream_errors_total), by condition. */
  streamErrors: Counter;
  /**
   * Inbound stanza accepted → its outcome final (the SM ack can cover it), by stanza name
   * (concord_gateway_ack_duration_seconds). For a message: routed, archived twice, committed.
   */
  ackDuration: Histogram;
  /** Live deliveries from the router written to sessions (concord_gateway_deliveries_total). */
  deliveries: Counter;
  /** Second live copies of a message a session was already given, dropped (concord_gateway_duplicate_deliveries_dropped_total). */
  duplicatesDropped: Counter;
}

/** Seconds: a message's ack normally takes milliseconds; past a second something is queueing. */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function gatewayMetrics(sessions: () => number): GatewayMetrics {
  const meter = metrics.getMeter('@concord/gateway');
  meter.createObservableGauge('concord_gateway_sessions', { description: 'Bound sessions on this gateway node' })
    .addCallback((r) => r.observe(sessions()));
  // CSI (XEP-0352): what is held for inactive clients (concord_gateway_csi_*).
  meter.createObservableGauge('concord_gateway_csi_held_stanzas', { description: 'Stanzas held in the CSI queues of inactive sessions' })
    .addCallback((r) => r.observe(processCsiStats.held));
  meter.createObservableGauge('concord_gateway_csi_inactive_sessions', { description: 'Sessions whose client said it is inactive' })
    .addCallback((r) => r.observe(processCsiStats.inactiveSessions));
  meter.createObservableGauge('concord_gateway_csi_queue_peak', { description: 'Largest CSI queue of one session since the last scrape' })
    .addCallback((r) => r.observe(processCsiStats.takePeak()));
  return {
    connections: meter.createUpDownCounter('concord_gateway_connections', { description: 'Open client connections' }),
    stanzasIn: meter.createCounter('concord_gateway_stanzas_in', { description: 'Stanzas received from clients' }),
    stanzasOut: meter.createCounter('concord_gateway_stanzas_out', { description: 'Stanzas written to clients' }),
    authFailures: meter.createCounter('concord_gateway_auth_failures', { description: 'Failed authentication attempts' }),
    streamErrors: meter.createCounter('concord_gateway_stream_errors', { description: 'Streams ended with a stream error' }),
    ackDuration: meter.createHistogram('concord_gateway_ack_duration_seconds', {
      description: 'Inbound stanza accepted until its outcome is final', unit: 's', advice: { explicitBucketBoundaries: ACK_BUCKETS },
    }),
    deliveries: meter.createCounter('concord_gateway_deliveries', { description: 'Live deliveries from the router written to sessions' }),
    duplicatesDropped: meter.createCounter('concord_gateway_duplicate_deliveries_dropped', { description: 'Second live copies of a message a session was already given, dropped' }),
  };
}

/**
 * The client's names for a stanza as span attributes, so that its trace can be found from
 * what the client logged: the stanza id and the XEP-0359 origin-id.
 */
export function stanzaIdAttributes(e: Element): Record<string, string> {
  const originId = e.getChild('origin-id', NS.sid)?.attrs['id'];
  return { ...(e.attrs['id'] ? { 'xmpp.id': e.attrs['id'] } : {}), ...(originId ? { 'concord.origin_id': originId } : {}) };
}
