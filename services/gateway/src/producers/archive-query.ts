import { call, handledThrough, type Bus } from '@concord/bus';
import { ArchiveQueryRpc } from '@concord/events';
import { concord } from '@concord/proto';
import { parseElement, serialize, Verbatim, verbatim, type Element } from '@concord/xml';
import type { Logger } from '@concord/log';
import { NS } from '@concord/xmpp';
import { errorToClient } from '../stanzas/error-to-client';

const TIMEOUT_MS = 15_000;

/** A XEP-0313 page as the gateway's own catch-up reads it. */
export interface ResultPage {
  /** The result messages in the archive's order, unparsed (see `verbatim`), each with its archive ID. */
  results: { id: string; stanza: Element }[];
  /** The IQ result with <fin/>, or the IQ error. */
  end: Element;
}

/** Sends a session's XEP-0313 request to the archive service; answers are stanzas to write in order. */
export interface ArchiveQuerier {
  /** `minPosition`: answer only once history up to that stream sequence is committed. */
  query(account: string, fullJid: string, iq: Element, minPosition?: number): Promise<Element[]>;
  /**
   * The same for the gateway itself (catch-up and replay): pages of up to `maxResults`, above a
   * client's XEP-0313 limit, with the results left unparsed.
   */
  page(account: string, fullJid: string, iq: Element, opts: { minPosition: number; maxResults: number }): Promise<ResultPage>;
  /** A result of page() parsed, with the limits query() parses with, for code that looks inside it. */
  open(result: Element): Element;
  /** The sequence of the newest history event: everything routed so far is at or below it. */
  historyHead(): Promise<number>;
  /**
   * The history sequence through which the archive has written every event (its consumer's
   * acknowledged floor): an answer read once this reaches a position misses nothing below it.
   */
  archivedThrough(): Promise<number>;
}

export function archiveQuerier(bus: Bus, limits: { maxStanzaBytes: number; maxDepth: number }, log: Logger): ArchiveQuerier {
  // Each result is parsed alone, with the limits for the server's own answers (INTERNAL_XML_LIMITS).
  const parse = (x: string) => parseElement(x, limits, NS.client);
  const ask = async (account: string, fullJid: string, iq: Element, minPosition: number, maxResults: number) => {
    return call(bus, ArchiveQueryRpc, { account, fullJid, iqXml: serialize(iq), minPosition, maxResults }, TIMEOUT_MS);
  };
  const failed = (iq: Element, err: unknown) => (err instanceof ArchiveUnanswered
    ? errorToClient(log, iq, 'internal-server-error', 'the archive could not answer', 'the archive answered with nothing (see its log)')
    : errorToClient(log, iq, 'service-unavailable', 'the archive is not reachable; try again', err));
  return {
    async historyHead() {
      return (await bus.jsm.streams.info(bus.names.stream('history'))).state.last_seq;
    },
    async archivedThrough() {
      return handledThrough(await bus.jsm.consumers.info(bus.names.stream('history'), bus.names.durable('archive', 'history')));
    },
    async query(account, fullJid, iq, minPosition = 0) {
      try {
        const { stanzas } = await ask(account, fullJid, iq, minPosition, 0);
        if (stanzas.length === 0) throw new ArchiveUnanswered();
        return stanzas.map(parse);
      } catch (err) {
        return [failed(iq, err)];
      }
    },
    async page(account, fullJid, iq, opts) {
      try {
        const { stanzas, resultIds } = await ask(account, fullJid, iq, opts.minPosition, opts.maxResults);
        if (stanzas.length === 0) throw new ArchiveUnanswered();
        const end = parse(stanzas.at(-1)!);
        if (resultIds.length === stanzas.length - 1) return { results: resultIds.map((id, i) => ({ id, stanza: verbatim(stanzas[i]!, parse) })), end };
        // An archive older than result_ids (during an upgrade): the IDs are inside the results.
        const results = stanzas.slice(0, -1).map(parse);
        return { results: results.map((stanza) => ({ id: stanza.getChild('result', NS.mam)?.attrs['id'] ?? '', stanza })), end };
      } catch (err) {
        return { results: [], end: failed(iq, err) };
      }
    },
    open: (result) => (result instanceof Verbatim ? parse(result.xml) : result),
  };
}

/** The archive answered with nothing to write: it failed on the request. */
class ArchiveUnanswered extends Error {}

/** True for a XEP-0313 request on the session's own archive (no `to`, or its own bare JID). */
export function isOwnArchiveRequest(iq: Element, account: string): boolean {
  const to = iq.attrs['to'];
  if (to !== undefined && to !== account) return false;
  return iq.getChild('query', NS.mam) !== undefined || iq.getChild('metadata', NS.mam) !== undefined;
}
