import type { Jid } from '@concord/jid';
import { el, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { ArchiveQuerier } from '../producers/archive-query';

export const CATCHUP_QUERY_ID = 'catchup';

export interface CatchupResult {
  /** The archive's XEP-0313 metadata (first and last message), for <bound>. */
  metadata: Element | undefined;
  results: Element[];
  ids: Set<string>;
  lastId: string;
  complete: boolean;
}

/** The archive ID of the account's copy carried by a delivered stanza (its stanza-id by the account). */
export function archiveIdFor(stanza: Element, account: string): string | undefined {
  return stanza.getChildren('stanza-id', NS.sid).find((s) => s.attrs['by'] === account)?.attrs['id'];
}

/** The archive answers at most this many results per query (XEP-0313 RSM max). */
const PAGE = 250;

function mamQuery(c: { afterId?: string; since?: string; max: number; beforeId?: string }): Element {
  const field = (v: string, value: string) => el('field', { var: v }, el('value', {}, value));
  return el('iq', { type: 'set', id: CATCHUP_QUERY_ID }, el('query', { xmlns: NS.mam, queryid: CATCHUP_QUERY_ID },
    el('x', { xmlns: NS.dataForms, type: 'submit' },
      el('field', { var: 'FORM_TYPE', type: 'hidden' }, el('value', {}, NS.mam)),
      c.afterId ? field('after-id', c.afterId) : undefined,
      c.since ? field('start', c.since) : undefined),
    // The newest `max` after the client's position: an empty <before/> pages from the end.
    el('set', { xmlns: NS.rsm }, el('max', {}, String(c.max)), el('before', {}, c.beforeId ?? ''))));
}

/**
 * Bind2 catch-up (DESIGN §3.5): the archive answers once everything routed before this session
 * was registered is committed (its watermark reaches the history head read after registration),
 * so the replay plus the live deliveries held meanwhile leave no gap.
 */
export async function runCatchup(archive: ArchiveQuerier, session: Jid, c: { afterId?: string; since?: string; max: number }): Promise<CatchupResult> {
  const account = session.bare().toString();
  const head = await archive.historyHead().catch(() => 0);
  const ask: Ask = async (q) => {
    const iq = mamQuery(q);
    iq.attrs['from'] = session.toString();
    return archive.query(account, session.toString(), iq, head);
  };
  const metaIq = el('iq', { type: 'get', id: 'catchup-metadata', from: session.toString() }, el('metadata', { xmlns: NS.mam }));
  const [meta, first] = await Promise.all([archive.query(account, session.toString(), metaIq, head), newest(ask, c)]);
  const metadata = meta[0]?.getChild('metadata', NS.mam);
  let page = first;
  let known = true;
  if (page.error && c.afterId) {
    // The client's last ID is unknown here (deleted or foreign): send the newest part, marked incomplete.
    known = false;
    page = await newest(ask, { max: c.max });
  }
  const results = page.results;
  const ids = new Set(results.map((r) => r.getChild('result', NS.mam)?.attrs['id'] ?? ''));
  const lastId = results.at(-1)?.getChild('result', NS.mam)?.attrs['id'] ?? c.afterId ?? '';
  return { metadata, results, ids, lastId, complete: known && page.complete };
}

type Ask = (q: { afterId?: string; since?: string; max: number; beforeId?: string }) => Promise<Element[]>;

/**
 * The newest `max` results after the client's position, oldest first: pages of at most PAGE
 * walked back from the end (each page is oldest first), until `max` or the start is reached.
 */
async function newest(ask: Ask, c: { afterId?: string; since?: string; max: number }): Promise<{ results: Element[]; complete: boolean; error: boolean }> {
  const pages: Element[][] = [];
  let count = 0;
  let beforeId: string | undefined;
  for (;;) {
    const stanzas = await ask({ ...c, max: Math.min(PAGE, c.max - count), ...(beforeId ? { beforeId } : {}) });
    if (stanzas.at(-1)?.attrs['type'] === 'error') return { results: pages.reverse().flat(), complete: false, error: pages.length === 0 };
    const results = stanzas.filter((s) => s.name === 'message');
    pages.push(results);
    count += results.length;
    const fin = stanzas.at(-1)?.getChild('fin', NS.mam);
    const complete = fin?.attrs['complete'] === 'true';
    beforeId = results[0]?.getChild('result', NS.mam)?.attrs['id'];
    if (complete || count >= c.max || !beforeId) return { results: pages.reverse().flat(), complete, error: false };
  }
}
