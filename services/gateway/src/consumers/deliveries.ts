import type { Subscription } from '@nats-io/transport-node';
import { SpanKind, trace } from '@opentelemetry/api';
import { extractTrace, type Bus } from '@concord/bus';
import type { Logger } from '@concord/log';
import { concord } from '@concord/proto';
import type { Worker } from '@concord/runtime';
import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { GatewayMetrics } from '../metrics';
import type { LocalSessionTable } from '../session/session-table';

/**
 * Live deliveries to sessions on this node (core NATS: a session that misses one catches up
 * from the archive, so no persistence is needed here).
 */
export function deliveriesWorker(bus: Bus, node: string, sessions: LocalSessionTable, limits: { maxStanzaBytes: number; maxDepth: number }, log: Logger, metrics: GatewayMetrics): Worker {
  const tracer = trace.getTracer('@concord/gateway');
  let sub: Subscription | undefined;
  let loop: Promise<void> | undefined;
  return {
    name: 'deliveries',
    async start() {
      const s = bus.nc.subscribe(bus.names.subjects.deliver(node));
      sub = s;
      loop = (async () => {
        for await (const m of s) {
          // Linked to the router's trace, not a child of it: the sender's trace ends at its ack.
          const router = trace.getSpanContext(extractTrace(m.headers));
          const span = tracer.startSpan('xmpp deliver', { kind: SpanKind.CONSUMER, ...(router ? { links: [{ context: router }] } : {}) });
          try {
            const d = concord.events.v1.Delivery.decode(m.data);
            const stanza = parseElement(d.xml, limits, NS.client);
            span.setAttributes({ 'xmpp.stanza': stanza.name, 'xmpp.id': stanza.attrs['id'] ?? '', 'concord.urgent': d.urgent, 'concord.recipients': d.toSessions.length });
            for (const to of d.toSessions) sessions.byFullJid(to)?.deliver(stanza.clone(), { urgent: d.urgent });
            metrics.deliveries.add(d.toSessions.length);
          } catch (err) {
            log.error({ err: (err as Error).message }, 'undeliverable delivery dropped');
          } finally {
            span.end();
          }
        }
      })();
    },
    async stop() {
      await sub?.drain();
      await loop;
    },
  };
}
