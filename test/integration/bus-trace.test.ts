/**
 * A message published through libs/bus by one service is consumed by another with the trace
 * continued: the gateway's span and the router's span share one trace ID, and the router's
 * processing span is a child of the gateway's publish span. Real nats-server, two connections.
 */
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Bus, consumeEvents, ack, eventType, partitionOf, publishEvent, type RunningConsumer } from '@concord/bus';
import { createLogger } from '@concord/log';
import { concord } from '@concord/proto';
import { startTelemetry, type Telemetry } from '@concord/telemetry';
import { dropBus, requireStack, testConfig, uniqueName } from '../support/stack';

const InboundStanza = eventType('concord.events.v1.InboundStanza', concord.events.v1.InboundStanza);

describe('bus: trace context across services', () => {
  requireStack();
  const cfg = testConfig(uniqueName('bustrace'));
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let gateway: Bus;
  let router: Bus;
  let consumer: RunningConsumer | undefined;

  beforeAll(async () => {
    telemetry = startTelemetry({ serviceName: 'concord-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const open = (name: string) => Bus.connect({ servers: cfg.natsUrls, name, prefix: cfg.busPrefix, partitions: 4, log: createLogger(name, 'warn') });
    [gateway, router] = await Promise.all([open('gateway'), open('router')]);
    await gateway.ensure();
  });

  afterAll(async () => {
    await consumer?.stop();
    await Promise.all([gateway.close(), router.close()]);
    await dropBus(cfg);
    await telemetry.shutdown();
  });

  it('continues the producer trace in the consumer', async () => {
    const account = 'alice@localhost';
    const subject = gateway.names.subjects.inbound(partitionOf(account, 4));
    const tracer = trace.getTracer('test');

    const received = new Promise<{ traceId: string; id: string }>((resolve) => {
      void consumeEvents(router.js, InboundStanza, { stream: router.names.stream('inbound'), durable: router.names.durable('router', 'inbound'), log: createLogger('router', 'warn') }, async (e) => {
        resolve({ traceId: trace.getSpan(context.active())!.spanContext().traceId, id: e.value.id });
        return ack;
      }).then((c) => (consumer = c));
    });

    const root = tracer.startSpan('gateway: stanza received');
    await context.with(trace.setSpan(context.active(), root), () =>
      publishEvent(gateway.publisher, subject, InboundStanza, concord.events.v1.InboundStanza.fromPartial({ id: 's1:1', account, xml: '<message/>' }), { msgId: 's1:1', account }));
    root.end();

    const got = await received;
    expect(got.id).toBe('s1:1');
    expect(got.traceId).toBe(root.spanContext().traceId);

    // Spans end after the handler returns; wait for the processing span to be exported.
    const spans = await (async () => {
      for (let i = 0; i < 200; i++) {
        const s = exporter.getFinishedSpans();
        if (s.some((x) => x.name.startsWith('process '))) return s;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('consumer span never ended');
    })();
    const publish = spans.find((s) => s.name === 'publish concord.events.v1.InboundStanza')!;
    const processSpan = spans.find((s) => s.name === 'process concord.events.v1.InboundStanza')!;
    expect(publish.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(publish.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(processSpan.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(processSpan.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
  });

  it('stores a re-published message ID once (deduplication)', async () => {
    const subject = gateway.names.subjects.inbound(0);
    const value = concord.events.v1.InboundStanza.fromPartial({ id: 'dup:1', account: 'bob@localhost' });
    const first = await publishEvent(gateway.publisher, subject, InboundStanza, value, { msgId: 'dup:1' });
    const again = await publishEvent(gateway.publisher, subject, InboundStanza, value, { msgId: 'dup:1' });
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(first.seq);
  });
});
