import type { Subscription } from '@nats-io/transport-node';
import type { Bus } from '@concord/bus';
import type { Logger } from '@concord/log';
import { concord } from '@concord/proto';
import type { Worker } from '@concord/runtime';
import type { ArchiveStore } from '@concord/storage';
import { parseElement, serialize } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { answerMam } from '../mam/answer';
import type { Watermark } from './watermark';

/** All archive instances share the queries; each is answered by one. */
const QUEUE = 'archive';

/** Longest a query waits for the watermark before answering with what is committed. */
const WATERMARK_WAIT_MS = 5_000;

/** XEP-0313 queries from gateways, over core NATS request/reply. */
export function queriesWorker(bus: Bus, store: ArchiveStore, log: Logger, watermark: Watermark): Worker {
  let sub: Subscription | undefined;
  let loop: Promise<void> | undefined;
  return {
    name: 'mam-queries',
    async start() {
      const s = bus.nc.subscribe(bus.names.subjects.archiveQuery(), { queue: QUEUE });
      sub = s;
      loop = (async () => {
        for await (const m of s) {
          try {
            const req = concord.events.v1.ArchiveQueryRequest.decode(m.data);
            if (req.minPosition > 0) await watermark.reached(req.minPosition, WATERMARK_WAIT_MS);
            const stanzas = await answerMam(store, req.account, req.fullJid, parseElement(req.iqXml, undefined, NS.client));
            m.respond(concord.events.v1.ArchiveQueryResponse.encode({ stanzas: stanzas.map((x) => serialize(x)) }).finish());
          } catch (err) {
            log.error({ err: (err as Error).message }, 'archive query failed');
            m.respond(concord.events.v1.ArchiveQueryResponse.encode({ stanzas: [] }).finish());
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
