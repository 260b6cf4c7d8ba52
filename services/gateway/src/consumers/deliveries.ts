import type { Subscription } from '@nats-io/transport-node';
import { SpanKind, trace } from '@opentelemetry/api';
import { extractTrace, Limiter, type Bus, type Reconnection } from '@concord/bus';
import type { Logger } from '@concord/log';
import { concord } from '@concord/proto';
import type { Worker } from '@concord/runtime';
import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { GatewayMetrics } from '../metrics';
import type { LocalSessionTable } from '../session/session-table';

/** Sessions asking the archive at once for what they missed while NATS was away. */
const REPLAYS_AT_ONCE = 8;

/**
 * How long before the connection was found lost deliveries may have gone to nobody: published
 * to a server that died holding them, or stamped by a router whose clock is ahead.
 */
const LOSS_SLACK_MS = 10_000;

/**
 * Live deliveries to sessions on this node (core NATS: a session that misses one catches up
 * from the archive, so no persistence is needed here). Core NATS drops what is published while
 * this node's subscription is away: after each reconnection, every session gets what was
 * archived from a little before the loss on and not given to it (DESIGN §8).
 */
export function deliveriesWorker(bus: Bus, node: string, sessions: LocalSessionTable, limits: { maxStanzaBytes: number; maxDepth: number }, log: Logger, metrics: GatewayMetrics): Worker {
  const tracer = trace.getTracer('@concord/gateway');
  let sub: Subscription | undefined;
  let loop: Promise<void> | undefined;
  let stopWatching: (() => void) | undefined;
  const limiter = new Limiter(REPLAYS_AT_ONCE);
  const replayLost = async (r: Reconnection) => {
    // Once the server has our subscription again, what is routed from now on arrives live.
    await bus.nc.flush();
    const since = new Date(r.lostAtMs - LOSS_SLACK_MS);
    const all = sessions.all();
    log.warn({ sessions: all.length, since: since.toISOString() }, 'NATS connection was lost: sessions get what was archived meanwhile');
    await Promise.all(all.map((s) => s.missedDeliveries(since, (task) => limiter.run(task))));
    log.info({ sessions: all.length }, 'deliveries missed while NATS was away replayed');
  };
  return {
    name: 'deliveries',
    async start() {
      stopWatching = bus.onReconnect((r) => void replayLost(r).catch((err: Error) => log.error({ err: err.message }, 'replay of deliveries missed while NATS was away failed')));
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
      stopWatching?.();
      await sub?.drain();
      await loop;
    },
  };
}
