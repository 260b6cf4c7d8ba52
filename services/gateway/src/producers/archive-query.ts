import type { Bus } from '@concord/bus';
import { concord } from '@concord/proto';
import { parseElement, serialize, type Element } from '@concord/xml';
import { NS, errorReply } from '@concord/xmpp';

const TIMEOUT_MS = 15_000;

/** Sends a session's XEP-0313 request to the archive service; answers are stanzas to write in order. */
export interface ArchiveQuerier {
  /** `minPosition`: answer only once history up to that stream sequence is committed. */
  query(account: string, fullJid: string, iq: Element, minPosition?: number): Promise<Element[]>;
  /** The sequence of the newest history event: everything routed so far is at or below it. */
  historyHead(): Promise<number>;
}

export function archiveQuerier(bus: Bus, limits: { maxStanzaBytes: number; maxDepth: number }): ArchiveQuerier {
  return {
    async historyHead() {
      return (await bus.jsm.streams.info(bus.names.stream('history'))).state.last_seq;
    },
    async query(account, fullJid, iq, minPosition = 0) {
      try {
        const reply = await bus.nc.request(bus.names.subjects.archiveQuery(),
          concord.events.v1.ArchiveQueryRequest.encode({ account, fullJid, iqXml: serialize(iq), minPosition }).finish(), { timeout: TIMEOUT_MS });
        const { stanzas } = concord.events.v1.ArchiveQueryResponse.decode(reply.data);
        if (stanzas.length === 0) return [errorReply(iq, 'internal-server-error', { text: 'the archive could not answer' })];
        // Result pages can exceed one stanza's limit only by their sum; each is parsed alone.
        return stanzas.map((x) => parseElement(x, { ...limits, maxStanzaBytes: Math.max(limits.maxStanzaBytes, x.length * 4) }, NS.client));
      } catch {
        return [errorReply(iq, 'service-unavailable', { text: 'the archive is not reachable; try again' })];
      }
    },
  };
}

/** True for a XEP-0313 request on the session's own archive (no `to`, or its own bare JID). */
export function isOwnArchiveRequest(iq: Element, account: string): boolean {
  const to = iq.attrs['to'];
  if (to !== undefined && to !== account) return false;
  return iq.getChild('query', NS.mam) !== undefined || iq.getChild('metadata', NS.mam) !== undefined;
}
