/**
 * One stanza, one trace: the gateway's span for an inbound message is the ancestor of the work
 * it causes downstream (router decision, archive write, the commit back to the gateway and the
 * ack), across real NATS connections; the delivery to the recipient links to it.
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, type Telemetry } from '@concord/telemetry';
import type { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { eventually, requireStack } from '../support/stack';

describe('tracing a stanza through the services', () => {
  requireStack();
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let concord: RunningConcord;
  let laptop: ClientDriver;
  let desktop: ClientDriver;

  beforeAll(async () => {
    telemetry = startTelemetry({ serviceName: 'concord-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    concord = await startConcord('gwtrace');
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    laptop = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
    desktop = await xmppjsOnline(concord, 'bob.desktop', 'bob', 'bob-secret');
  }, 60_000);

  afterAll(async () => {
    await laptop.kill();
    await desktop.kill();
    await concord.stop();
    await telemetry.shutdown();
  });

  it('the router, the archive and the commit continue the gateway span of the message', async () => {
    await laptop.ok('send', { xml: `<message to='bob@${concord.domain}' type='chat' id='traced'><body>follow me</body></message>` });
    await laptop.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="traced"'), 15_000, 'the ack');
    const spans = await eventually(async () => {
      const all = exporter.getFinishedSpans();
      const inbound = all.find((s) => s.name === 'xmpp inbound message');
      return inbound && all.some((s) => s.name === 'process concord.events.v1.Commit' && s.spanContext().traceId === inbound.spanContext().traceId) ? all : undefined;
    }, 10_000, 'the spans of the message');
    const inbound = spans.find((s) => s.name === 'xmpp inbound message')!;
    const trace = spans.filter((s) => s.spanContext().traceId === inbound.spanContext().traceId);
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s] as const));
    // Walk from the gateway's handling of the commit up to the root of the trace.
    const chain: string[] = [];
    for (let s: ReadableSpan | undefined = trace.find((x) => x.name === 'process concord.events.v1.Commit'); s; s = byId.get(s.parentSpanContext?.spanId ?? '')) {
      chain.unshift(s.name);
    }
    expect(chain).toEqual([
      'xmpp inbound message', // gateway: the client's stanza, open until its outcome is final
      'publish concord.events.v1.InboundStanza',
      'process concord.events.v1.InboundStanza',
      'route message', // router: the rules' verdicts
      'publish concord.events.v1.HistoryEvent', // the sender's copy
      'process concord.events.v1.HistoryEvent', // archive: the Cassandra write
      'publish concord.events.v1.Commit',
      'process concord.events.v1.Commit', // gateway: the SM ack
    ]);
    expect(inbound.attributes['xmpp.stanza']).toBe('message');
    expect(inbound.attributes['xmpp.id']).toBe('traced');
    // The ack: the gateway's span records the Stream Management count that covers the message.
    expect(inbound.events.map((e) => e.name)).toContain('xmpp sm handled');

    const route = trace.find((s) => s.name === 'route message')!;
    expect(route.attributes).toMatchObject({
      'concord.persistence': 'persistent', 'concord.urgency': 'urgent', 'concord.reflection': expect.any(String),
      'concord.recipients': 1, // bob.desktop
      'concord.inbound_id': expect.any(String), 'concord.origin_id': 'traced', 'concord.outcome': 'archive-commits',
    });
    const archiveId = route.attributes['concord.archive_id'];
    // The archive's Cassandra writes: one per account, the sender's under the ID the router chose.
    const writes = trace.filter((s) => s.name === 'cassandra write message');
    expect(writes.map((w) => byId.get(w.parentSpanContext?.spanId ?? '')?.name)).toEqual(['process concord.events.v1.HistoryEvent', 'process concord.events.v1.HistoryEvent']);
    // The router found both IDs unused with everything older applied: no ID index read first.
    expect(trace.filter((s) => s.name === 'process concord.events.v1.HistoryEvent').map((s) => s.attributes['concord.id_index'])).toEqual(['skip', 'skip']);
    const senderWrite = writes.find((w) => w.attributes['concord.archive_id'] === archiveId)!;
    expect(senderWrite.kind).toBe(SpanKind.CLIENT);
    expect(senderWrite.attributes).toMatchObject({ 'db.system.name': 'cassandra', 'db.namespace': concord.name, 'concord.result': 'written', 'concord.origin_id': 'traced' });

    // The delivery to bob.desktop: the gateway's span is linked to the router's trace.
    const delivery = await eventually(async () => exporter.getFinishedSpans().find((s) => s.name === 'xmpp deliver' && s.links.some((l) => l.context.traceId === inbound.spanContext().traceId)), 10_000, 'the delivery span');
    expect(delivery.attributes['xmpp.id']).toBe('traced');
  });
});
