import { responder } from '@concord/bus';
import { RosterQueryRpc } from '@concord/events';
import type { Worker } from '@concord/runtime';
import { parseElement, serialize, type Element } from '@concord/xml';
import { errorReply, NS } from '@concord/xmpp';
import type { PresenceContext } from '../context';
import { answerRosterIq } from '../roster/roster-iq';

/** All presence instances share the roster queries; each is answered by one. */
const QUEUE = 'presence';

/**
 * Roster IQs from gateways, over core NATS request/reply. Requests of one account are answered
 * in the order they arrived here (a set then a get sees the set); accounts run side by side.
 */
export function rosterQueriesWorker(ctx: PresenceContext): Worker {
  return responder(ctx.bus, RosterQueryRpc, {
    queue: QUEUE,
    orderKey: (req) => req.account,
    async answer(req) {
      const iq = parseElement(req.iqXml, undefined, NS.client);
      let stanzas: Element[];
      try {
        stanzas = await answerRosterIq(ctx, req, iq);
      } catch (err) {
        ctx.log.error({ err: (err as Error).message, account: req.account }, 'roster query failed');
        stanzas = [errorReply(iq, 'internal-server-error', { text: 'the roster could not be read or written; try again' })];
      }
      return { stanzas: stanzas.map((s) => serialize(s)) };
    },
    // Without stanzas the gateway answers internal-server-error itself.
    failed: () => ({ stanzas: [] }),
    log: ctx.log,
  });
}
