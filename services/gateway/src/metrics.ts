import { metrics, type Counter, type UpDownCounter } from '@opentelemetry/api';

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
}

export function gatewayMetrics(sessions: () => number): GatewayMetrics {
  const meter = metrics.getMeter('@concord/gateway');
  meter.createObservableGauge('concord_gateway_sessions', { description: 'Bound sessions on this gateway node' })
    .addCallback((r) => r.observe(sessions()));
  return {
    connections: meter.createUpDownCounter('concord_gateway_connections', { description: 'Open client connections' }),
    stanzasIn: meter.createCounter('concord_gateway_stanzas_in', { description: 'Stanzas received from clients' }),
    stanzasOut: meter.createCounter('concord_gateway_stanzas_out', { description: 'Stanzas written to clients' }),
    authFailures: meter.createCounter('concord_gateway_auth_failures', { description: 'Failed authentication attempts' }),
    streamErrors: meter.createCounter('concord_gateway_stream_errors', { description: 'Streams ended with a stream error' }),
  };
}
