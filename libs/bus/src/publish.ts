import { context as otContext, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { EventType } from './codec';
import { Header } from './headers';
import type { EventPublisher } from './js-publisher';
import { injectTrace } from './trace';

export interface PublishOptions {
  /** JetStream de-duplication key: a replayed publish with the same ID is stored once. */
  msgId?: string;
  /** The account the event is about (header for tracing and debugging). */
  account?: string;
  /** Extra attributes on the producer span. */
  attributes?: Record<string, string | number | boolean>;
}

const tracer = (): Tracer => trace.getTracer('@concord/bus');

function buildHeaders<T>(type: EventType<T>, opts: PublishOptions) {
  const h = natsHeaders();
  h.set(Header.eventType, type.name);
  if (opts.account) h.set(Header.account, opts.account);
  injectTrace(otContext.active(), h);
  return h;
}

/**
 * Publishes an event to a JetStream subject inside a PRODUCER span whose context travels in
 * the message headers; resolves when JetStream has stored it (the PubAck).
 */
export async function publishEvent<T>(js: EventPublisher, subject: string, type: EventType<T>, value: T, opts: PublishOptions = {}): Promise<PubAck> {
  return tracer().startActiveSpan(`publish ${type.name}`, {
    kind: SpanKind.PRODUCER,
    attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject, ...opts.attributes },
  }, async (span) => {
    try {
      const ack = await js.publish(subject, type.fns.encode(value).finish(), {
        headers: buildHeaders(type, opts),
        ...(opts.msgId ? { msgID: opts.msgId } : {}),
      });
      span.setAttributes({ 'messaging.nats.stream': ack.stream, 'messaging.nats.sequence': ack.seq, 'messaging.nats.duplicate': ack.duplicate });
      return ack;
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Publishes on core NATS (no persistence), for signals a receiver may miss safely, such as
 * live deliveries that a session would otherwise catch up from the archive.
 */
export function publishCore<T>(nc: NatsConnection, subject: string, type: EventType<T>, value: T, opts: PublishOptions = {}): void {
  const span = tracer().startSpan(`publish ${type.name}`, {
    kind: SpanKind.PRODUCER,
    attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject, ...opts.attributes },
  });
  otContext.with(trace.setSpan(otContext.active(), span), () => {
    nc.publish(subject, type.fns.encode(value).finish(), { headers: buildHeaders(type, opts) });
  });
  span.end();
}
