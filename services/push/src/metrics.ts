import { metrics, type Counter } from '@opentelemetry/api';

/**
 * The push service's metrics (Prometheus names in parentheses). Instruments are created when
 * the service is built, after the telemetry SDK has started; importing this file has no effect.
 */
export interface PushMetrics {
  /** Push requests (concord_push_requests_total), by decision: notify, held (preferences, hint), no-device. */
  requests: Counter;
  /** Notification attempts per device (concord_push_notifications_total), by outcome and transport. */
  notifications: Counter;
  /** Registrations disabled after a permanent failure (concord_push_registrations_disabled_total), by reason. */
  disabled: Counter;
}

export function pushMetrics(): PushMetrics {
  const meter = metrics.getMeter('@concord/push');
  return {
    requests: meter.createCounter('concord_push_requests', { description: 'Push requests handled, by decision' }),
    notifications: meter.createCounter('concord_push_notifications', { description: 'Notification attempts per device, by outcome' }),
    disabled: meter.createCounter('concord_push_registrations_disabled', { description: 'Push registrations disabled after a permanent failure' }),
  };
}
