import type { Bus } from '@concord/bus';
import { concord } from '@concord/proto';
import { parseElement, serialize, type Element } from '@concord/xml';
import { NS, errorReply } from '@concord/xmpp';

const TIMEOUT_MS = 15_000;

/** The session a roster IQ comes from. */
export interface RosterAsker {
  account: string;
  fullJid: string;
  streamId: string;
}

/** Sends a session's roster IQ to the presence service; answers are stanzas to write in order. */
export interface RosterQuerier {
  query(asker: RosterAsker, iq: Element): Promise<Element[]>;
}

export function rosterQuerier(bus: Bus, node: string, limits: { maxStanzaBytes: number; maxDepth: number }): RosterQuerier {
  return {
    async query(asker, iq) {
      try {
        const reply = await bus.nc.request(bus.names.subjects.rosterQuery(), concord.events.v1.RosterQueryRequest.encode({
          account: asker.account, fullJid: asker.fullJid, iqXml: serialize(iq), gatewayNode: node, streamId: asker.streamId,
        }).finish(), { timeout: TIMEOUT_MS });
        const { stanzas } = concord.events.v1.RosterQueryResponse.decode(reply.data);
        if (stanzas.length === 0) return [errorReply(iq, 'internal-server-error', { text: 'the roster could not be read; try again' })];
        // A large roster is one result: each stanza is parsed alone, allowing its own size.
        return stanzas.map((x) => parseElement(x, { ...limits, maxStanzaBytes: Math.max(limits.maxStanzaBytes, x.length * 4) }, NS.client));
      } catch {
        return [errorReply(iq, 'service-unavailable', { text: 'the roster is not reachable; try again' })];
      }
    },
  };
}

/** A jabber:iq:roster get or set on the session's own roster (no `to`, or its own bare JID: RFC 6121 §2.1.5). */
export function isRosterRequest(iq: Element, account: string): boolean {
  const to = iq.attrs['to'];
  if (to !== undefined && to !== account) return false;
  const type = iq.attrs['type'];
  return (type === 'get' || type === 'set') && iq.getChild('query', NS.roster) !== undefined;
}
