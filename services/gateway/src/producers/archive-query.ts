import type { Bus } from '@concord/bus';
import { concord } from '@concord/proto';
import { parseElement, serialize, Verbatim, verbatim, type Element } from '@concord/xml';
import { NS, errorReply } from '@concord/xmpp';

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
}

export function archiveQuerier(bus: Bus, limits: { maxStanzaBytes: number; maxDepth: number }): ArchiveQuerier {
  // Result pages can exceed one stanza's limit only by their sum; each is parsed alone.
  const parse = (x: string) => parseElement(x, { ...limits, maxStanzaBytes: Math.max(limits.maxStanzaBytes, x.length * 4) }, NS.client);
  const ask = async (account: string, fullJid: string, iq: Element, minPosition: number, maxResults: number) => {
    const reply = await bus.nc.request(bus.names.subjects.archiveQuery(),
      concord.events.v1.ArchiveQueryRequest.encode({ account, fullJid, iqXml: serialize(iq), minPosition, maxResults }).finish(), { timeout: TIMEOUT_MS });
    return concord.events.v1.ArchiveQueryResponse.decode(reply.data);
  };
  const failed = (iq: Element, err: unknown) => (err instanceof ArchiveUnanswered
    ? errorReply(iq, 'internal-server-error', { text: 'the archive could not answer' })
    : errorReply(iq, 'service-unavailable', { text: 'the archive is not reachable; try again' }));
  return {
    async historyHead() {
      return (await bus.jsm.streams.info(bus.names.stream('history'))).state.last_seq;
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
