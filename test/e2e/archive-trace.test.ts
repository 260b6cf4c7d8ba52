/**
 * The archive as its own process, as deployed: its spans reach an OTLP collector, continue the
 * message's trace from the router (context carried in NATS headers across processes), and the
 * Cassandra driver's own spans (instrumented by the service's main) hang under its writes.
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, type Telemetry } from '@concord/telemetry';
import type { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { eventually, requireStack } from '../support/stack';

describe('tracing into the archive process and its Cassandra driver', () => {
  requireStack();
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let receiver: OtlpReceiver;
  let concord: RunningConcord;
  let laptop: ClientDriver;

  beforeAll(async () => {
    telemetry = startTelemetry({ serviceName: 'concord-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    receiver = await OtlpReceiver.start();
    concord = await startConcord('arctrace', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, { archiveProcess: true });
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    laptop = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
  }, 60_000);

  afterAll(async () => {
    await laptop?.kill();
    await concord?.stop();
    await receiver?.stop();
    await telemetry?.shutdown();
  });

  it('the archive process continues the router span, and the driver spans are children of its writes', async () => {
    await laptop.ok('send', { xml: `<message to='bob@${concord.domain}' type='chat' id='traced-far'><body>into the archive</body></message>` });
    await laptop.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="traced-far"'), 15_000, 'the ack');
    const inbound = await eventually(async () => exporter.getFinishedSpans().find((s) => s.name === 'xmpp inbound message' && s.attributes['xmpp.id'] === 'traced-far'), 10_000, 'the gateway span');
    const traceId = inbound.spanContext().traceId;
    const here = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const routerPublishes = new Set(here.filter((s) => s.name === 'publish concord.events.v1.HistoryEvent').map((s) => s.spanContext().spanId));
    expect(routerPublishes.size).toBe(2); // the sender's copy and bob's

    // The archive exports in batches: wait until both writes and their driver spans are in.
    const isDriver = (s: ReceivedSpan) => s.name.startsWith('cassandra-driver.');
    const far = await eventually(async () => {
      const trace = receiver.spans.filter((s) => s.traceId === traceId);
      const writes = trace.filter((s) => s.name === 'cassandra write message');
      const ids = new Set(writes.map((w) => w.spanId));
      return writes.length === 2 && [...ids].every((id) => trace.some((s) => isDriver(s) && s.parentSpanId === id)) ? trace : undefined;
    }, 20_000, 'the archive process spans');
    const byId = new Map(far.map((s) => [s.spanId, s] as const));
    expect(new Set(far.map((s) => s.service))).toEqual(new Set(['concord-archive']));

    for (const write of far.filter((s) => s.name === 'cassandra write message')) {
      // write ← process HistoryEvent (archive process) ← publish HistoryEvent (router, this process)
      const processing = byId.get(write.parentSpanId)!;
      expect(processing.name).toBe('process concord.events.v1.HistoryEvent');
      expect(routerPublishes.has(processing.parentSpanId)).toBe(true);
      const driver = far.filter((s) => isDriver(s) && s.parentSpanId === write.spanId);
      expect(driver.length).toBeGreaterThan(0);
      for (const d of driver) {
        expect(d.scope).toBe('@opentelemetry/instrumentation-cassandra-driver');
        expect(d.kind).toBe(SpanKind.CLIENT + 1); // OTLP numbers kinds from 1 (internal)
        expect(d.attributes['db.system.name']).toBe('cassandra');
        expect(d.attributes['db.query.text']).toBeUndefined(); // statements stay out of traces
      }
    }
    // The commit that turns into the ack is published from inside the archive's processing.
    expect(far.some((s) => s.name === 'publish concord.events.v1.Commit' && byId.get(s.parentSpanId)?.name === 'process concord.events.v1.HistoryEvent')).toBe(true);
    // Queries outside any trace (the start-up schema check, ...) make no traces of their own.
    expect(receiver.spans.filter((s) => isDriver(s) && s.parentSpanId === '')).toEqual([]);
    expect(receiver.rejected).toEqual([]);
  });
});
