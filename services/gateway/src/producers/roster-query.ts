import { call, type Bus } from '@concord/bus';
import { RosterQueryRpc } from '@concord/events';
import { concord } from '@concord/proto';
import { parseElement, serialize, type Element } from '@concord/xml';
import type { Logger } from '@concord/log';
import { NS } from '@concord/xmpp';
import { errorToClient } from '../stanzas/error-to-client';

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

export function rosterQuerier(bus: Bus, node: string, limits: { maxStanzaBytes: number; maxDepth: number }, log: Logger): RosterQuerier {
  return {
    async query(asker, iq) {
      try {
        const { stanzas } = await call(bus, RosterQueryRpc, {
          account: asker.account, fullJid: asker.fullJid, iqXml: serialize(iq), gatewayNode: node, streamId: asker.streamId,
        }, TIMEOUT_MS);
        if (stanzas.length === 0) return [errorToClient(log, iq, 'internal-server-error', 'the roster could not be read; try again', 'the presence service answered with nothing (see its log)')];
        // A large roster is one result, read with the limits for the server's own answers (INTERNAL_XML_LIMITS).
        return stanzas.map((x) => parseElement(x, limits, NS.client));
      } catch (err) {
        return [errorToClient(log, iq, 'service-unavailable', 'the roster is not reachable; try again', err)];
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
