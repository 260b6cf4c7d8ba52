import type { Msg, Subscription } from '@nats-io/transport-node';
import { concord } from '@concord/proto';
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
  let sub: Subscription | undefined;
  let loop: Promise<void> | undefined;
  const chains = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();

  const answer = async (m: Msg, req: concord.events.v1.RosterQueryRequest): Promise<void> => {
    let iq: Element | undefined;
    let stanzas: Element[] = [];
    try {
      iq = parseElement(req.iqXml, undefined, NS.client);
      stanzas = await answerRosterIq(ctx, req, iq);
    } catch (err) {
      ctx.log.error({ err: (err as Error).message, account: req.account }, 'roster query failed');
      // Without stanzas the gateway answers internal-server-error itself.
      if (iq) stanzas = [errorReply(iq, 'internal-server-error', { text: 'the roster could not be read or written; try again' })];
    }
    m.respond(concord.events.v1.RosterQueryResponse.encode({ stanzas: stanzas.map((s) => serialize(s)) }).finish());
  };

  const enqueue = (m: Msg) => {
    let req: concord.events.v1.RosterQueryRequest;
    try {
      req = concord.events.v1.RosterQueryRequest.decode(m.data);
    } catch {
      return; // not a request of ours: the caller times out
    }
    const account = req.account;
    const run = (chains.get(account) ?? Promise.resolve()).then(() => answer(m, req)).catch((err: Error) => ctx.log.error({ err: err.message }, 'roster query dropped'));
    chains.set(account, run);
    inFlight.add(run);
    void run.finally(() => {
      inFlight.delete(run);
      if (chains.get(account) === run) chains.delete(account);
    });
  };

  return {
    name: 'roster-queries',
    async start() {
      const s = ctx.bus.nc.subscribe(ctx.bus.names.subjects.rosterQuery(), { queue: QUEUE });
      sub = s;
      loop = (async () => {
        for await (const m of s) enqueue(m);
      })();
    },
    async stop() {
      await sub?.drain();
      await loop;
      await Promise.all(inFlight);
    },
  };
}
