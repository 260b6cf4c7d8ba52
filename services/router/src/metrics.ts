import { metrics, type Counter } from '@opentelemetry/api';
import { inSpan } from '@concord/telemetry';
import type { Decision } from './rules';
import type { InboundStanza, Outcome } from './routing/route-context';

/** Span attributes of the routing decision; the runbook names them. */
export const DecisionAttr = {
  persistence: 'concord.persistence',
  urgency: 'concord.urgency',
  reflection: 'concord.reflection',
  /** Sessions the message was delivered to live, summed over the fan-outs. */
  recipients: 'concord.recipients',
  inboundId: 'concord.inbound_id',
  originId: 'concord.origin_id',
  /** The sender's archive ID (XEP-0359 stanza-id), once the message is persistent. */
  archiveId: 'concord.archive_id',
  outcome: 'concord.outcome',
} as const;

/**
 * The router's metrics (Prometheus names in parentheses). Created on first use, after the
 * telemetry SDK has started; importing this file has no effect.
 */
interface RouterMetrics {
  /** Messages routed (concord_router_messages_total), by persistence, urgency and outcome. */
  messages: Counter;
}

let instruments: RouterMetrics | undefined;
function routerMetrics(): RouterMetrics {
  const meter = metrics.getMeter('@concord/router');
  return instruments ??= {
    messages: meter.createCounter('concord_router_messages', { description: 'Messages routed, by persistence, urgency and outcome' }),
  };
}

/**
 * Applies a decision inside a "route message" span carrying its verdicts (so the archive
 * writes and deliveries it causes are its children), and counts the outcome.
 */
export async function traceDecision(d: Decision, inbound: InboundStanza, apply: () => Promise<Outcome>): Promise<Outcome> {
  const labels = { persistence: d.persistence, urgency: d.urgency };
  const outcome = await inSpan('route message', {
    attributes: {
      [DecisionAttr.persistence]: d.persistence, [DecisionAttr.urgency]: d.urgency, [DecisionAttr.reflection]: d.reflection,
      [DecisionAttr.recipients]: 0, [DecisionAttr.inboundId]: inbound.id,
    },
  }, async (span) => {
    const o = await apply();
    span.setAttribute(DecisionAttr.outcome, o);
    return o;
  }).catch((err: unknown) => {
    routerMetrics().messages.add(1, { ...labels, outcome: 'failed' });
    throw err;
  });
  routerMetrics().messages.add(1, { ...labels, outcome });
  return outcome;
}
