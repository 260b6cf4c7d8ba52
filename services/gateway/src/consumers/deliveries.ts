import type { Subscription } from '@nats-io/transport-node';
import type { Bus } from '@concord/bus';
import type { Logger } from '@concord/log';
import { concord } from '@concord/proto';
import type { Worker } from '@concord/runtime';
import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { LocalSessionTable } from '../session/session-table';

/**
 * Live deliveries to sessions on this node (core NATS: a session that misses one catches up
 * from the archive, so no persistence is needed here).
 */
export function deliveriesWorker(bus: Bus, node: string, sessions: LocalSessionTable, limits: { maxStanzaBytes: number; maxDepth: number }, log: Logger): Worker {
  let sub: Subscription | undefined;
  let loop: Promise<void> | undefined;
  return {
    name: 'deliveries',
    async start() {
      const s = bus.nc.subscribe(bus.names.subjects.deliver(node));
      sub = s;
      loop = (async () => {
        for await (const m of s) {
          try {
            const d = concord.events.v1.Delivery.decode(m.data);
            const stanza = parseElement(d.xml, limits, NS.client);
            for (const to of d.toSessions) sessions.byFullJid(to)?.deliver(stanza.clone());
          } catch (err) {
            log.error({ err: (err as Error).message }, 'undeliverable delivery dropped');
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
