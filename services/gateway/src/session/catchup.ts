import { backoffMs, sleep } from '@concord/bus';
import type { Jid } from '@concord/jid';
import { el, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { ArchiveQuerier, ResultPage } from '../producers/archive-query';

export const CATCHUP_QUERY_ID = 'catchup';

export interface CatchupResult {
  /** The archive's XEP-0313 metadata (first and last message), for <bound>. */
  metadata: Element | undefined;
  /** XEP-0313 result messages, oldest first, unparsed (ArchiveQuerier.open parses one). */
  results: Element[];
  ids: Set<string>;
  lastId: string;
  complete: boolean;
  /**
   * The archive had not written everything routed before the session was registered when it
   * answered (it waits a few seconds at most): later messages than `lastId` may still come into
   * it, with nobody to deliver them live. The caller follows up once the archive has caught up.
   */
  behind: boolean;
}

/** The archive ID of the account's copy carried by a delivered stanza (its stanza-id by the account). */
export function archiveIdFor(stanza: Element, account: string): string | undefined {
  return stanza.getChildren('stanza-id', NS.sid).find((s) => s.attrs['by'] === account)?.attrs['id'];
}

/**
 * Results the archive puts in one answer at most. It also cuts a page to fit one bus message,
 * so a page of small messages holds this many and one of large messages fewer.
 */
const PAGE = 2_000;

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
  const ask = pageAsker(archive, session, head);
  const metaIq = el('iq', { type: 'get', id: 'catchup-metadata', from: session.toString() }, el('metadata', { xmlns: NS.mam }));
  const [meta, first] = await Promise.all([archive.query(account, session.toString(), metaIq, head), newest(ask, c)]);
  const metadata = meta[0]?.getChild('metadata', NS.mam);
  let page = first;
  let known = true;
  if (page.error && c.afterId && page.unknownPosition) {
    // The client's last ID is unknown here (deleted or foreign): send the newest part, marked incomplete.
    known = false;
    page = await newest(ask, { max: c.max });
  }
  const results = page.results.map((r) => r.stanza);
  const ids = new Set(page.results.map((r) => r.id));
  const lastId = page.results.at(-1)?.id ?? c.afterId ?? '';
  const behind = page.error || !await archivedThrough(archive, head);
  return { metadata, results, ids, lastId, complete: known && page.complete && !behind, behind };
}

/** How long the acknowledged floor may trail the archive's own watermark (its acks are in flight). */
const ACK_FLOOR_LAG_MS = 1_000;

/** True once the archive's consumer has acknowledged everything through `head` (given a moment to catch up). */
async function archivedThrough(archive: ArchiveQuerier, head: number): Promise<boolean> {
  const deadline = Date.now() + ACK_FLOOR_LAG_MS;
  for (let attempt = 1; ; attempt++) {
    if ((await archive.archivedThrough().catch(() => 0)) >= head) return true;
    if (Date.now() > deadline) return false;
    await sleep(backoffMs({ firstMs: 20, maxMs: 200 }, attempt));
  }
}

export type Ask = (q: { afterId?: string; since?: string; max: number; beforeId?: string }) => Promise<ResultPage>;

/** Pages of the session's own archive, each answered once history through `head` is committed (or the archive's wait ends). */
export function pageAsker(archive: ArchiveQuerier, session: Jid, head: number): Ask {
  return async (q) => {
    const iq = mamQuery(q);
    iq.attrs['from'] = session.toString();
    return archive.page(session.bare().toString(), session.toString(), iq, { minPosition: head, maxResults: PAGE });
  };
}

/**
 * The newest `max` results after the client's position, oldest first: pages walked back from
 * the end (each page is oldest first), until `max` or the start is reached.
 */
export async function newest(ask: Ask, c: { afterId?: string; since?: string; max: number }): Promise<{ results: ResultPage['results']; complete: boolean; error: boolean; unknownPosition?: boolean }> {
  const pages: ResultPage['results'][] = [];
  let count = 0;
  let beforeId: string | undefined;
  for (;;) {
    const { results, end } = await ask({ ...c, max: Math.min(PAGE, c.max - count), ...(beforeId ? { beforeId } : {}) });
    if (end.attrs['type'] === 'error') return { results: pages.reverse().flat(), complete: false, error: pages.length === 0,
      // The archive does not know the ID to page from (as opposed to not answering at all).
      unknownPosition: end.getChild('error')?.getChild('item-not-found', NS.stanzas) !== undefined };
    pages.push(results);
    count += results.length;
    const complete = end.getChild('fin', NS.mam)?.attrs['complete'] === 'true';
    beforeId = results[0]?.id;
    if (complete || count >= c.max || !beforeId) return { results: pages.reverse().flat(), complete, error: false };
  }
}
