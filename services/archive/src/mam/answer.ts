import { randomBytes } from 'node:crypto';
import type { ArchiveStore, ArchivedRow } from '@concord/storage';
import { el, parseElement, serialize, verbatim, type Element } from '@concord/xml';
import { NS, errorReply } from '@concord/xmpp';
import { MamQueryError, parseMamQuery, type MamQuery } from './query';

const result = (iq: Element, ...children: Element[]) => el('iq', { type: 'result', id: iq.attrs['id'], to: iq.attrs['from'] }, ...children);

/** The query form (XEP-0313 §4.1.1), with the #extended fields. */
function form(iq: Element): Element {
  const field = (v: string, type: string) => el('field', { var: v, type });
  return result(iq, el('query', { xmlns: NS.mam }, el('x', { xmlns: NS.dataForms, type: 'form' },
    el('field', { var: 'FORM_TYPE', type: 'hidden' }, el('value', {}, NS.mam)),
    field('with', 'jid-single'), field('start', 'text-single'), field('end', 'text-single'),
    field('after-id', 'text-single'), field('before-id', 'text-single'), field('ids', 'text-multi'))));
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const parseStored = (xml: string) => parseElement(xml, undefined, NS.client);

/**
 * One archived message as a XEP-0313 result for the session, serialized. The stored stanza is
 * written as it is (a catch-up sends thousands); only a row that serialize did not write is
 * parsed and written again (see `verbatim`).
 */
export function resultMessage(row: ArchivedRow, to: string, queryId: string | undefined): string {
  return serialize(el('message', { xmlns: NS.client, to, from: row.owner, id: randomBytes(8).toString('base64url') },
    el('result', { xmlns: NS.mam, queryid: queryId, id: row.archiveId },
      el('forwarded', { xmlns: NS.forward }, el('delay', { xmlns: NS.delay, stamp: stamp(row.timestampMs) }), verbatim(row.stanza, parseStored)))));
}

async function positionOf(store: ArchiveStore, owner: string, id: string): Promise<number> {
  const position = await store.positionOf(owner, id);
  if (position === undefined) throw new MamQueryError('item-not-found', `no archived message with id ${id}`);
  return position;
}

/** Rows in the order they were read (newest first when paging back), and whether they reach the end. */
async function select(store: ArchiveStore, owner: string, q: MamQuery): Promise<{ rows: ArchivedRow[]; complete: boolean; backwards: boolean }> {
  const after = q.afterId ? await positionOf(store, owner, q.afterId) : undefined;
  const before = q.beforeId ? await positionOf(store, owner, q.beforeId) : undefined;
  // Before an ID, or an empty <before/> (the last page): read newest first, return oldest first.
  const backwards = q.beforeId !== undefined;
  if (q.ids) {
    // The messages asked for, in archive order; RSM after/before page through them like any
    // query (a page can be cut to fit one bus message).
    const rows = (await Promise.all(q.ids.map((id) => store.byId(owner, id))))
      .filter((r): r is ArchivedRow => r !== undefined && r.position > (after ?? -1) && r.position < (before ?? Infinity))
      .sort((a, b) => a.position - b.position);
    const page = backwards ? rows.slice(-q.max).reverse() : rows.slice(0, q.max);
    return { rows: page, complete: rows.length <= q.max, backwards };
  }
  const rows = await store.page(owner, {
    startMs: q.startMs, endMs: q.endMs, with: q.with, limit: q.max + 1,
    ...(after !== undefined ? { afterPosition: after } : {}),
    ...(before !== undefined ? { beforePosition: before } : {}),
    reverse: backwards,
  });
  return { rows: rows.slice(0, q.max), complete: rows.length <= q.max, backwards };
}

/** How large one answer may be, and how many results a page may hold. */
export interface AnswerLimits {
  /** Results per page at most (a client's RSM max is held to it). */
  maxResults: number;
  /** Bytes of serialized stanzas at most: an answer is one bus message. */
  maxBytes: number;
}

export interface MamAnswer {
  /** The stanzas to write to the session, serialized: results first, then the IQ result or error. */
  stanzas: string[];
  /** The archive ID of each result, in order. */
  resultIds: string[];
}

/**
 * Answers a XEP-0313 request on the account's own archive. A page whose results would pass
 * `maxBytes` ends before the result that would, and is then not complete: the client pages on
 * from its <first/> (or <last/>) as from any page.
 */
export async function answerMam(store: ArchiveStore, account: string, fullJid: string, iq: Element, limits: AnswerLimits): Promise<MamAnswer> {
  const query = iq.getChild('query', NS.mam);
  const only = (e: Element): MamAnswer => ({ stanzas: [serialize(e)], resultIds: [] });
  try {
    if (iq.attrs['type'] === 'get' && query) return only(form(iq));
    if (iq.attrs['type'] === 'get' && iq.getChild('metadata', NS.mam)) {
      const [first] = await store.page(account, { limit: 1, reverse: false });
      const [last] = await store.page(account, { limit: 1, reverse: true });
      const edge = (name: string, r: ArchivedRow | undefined) => (r ? el(name, { id: r.archiveId, timestamp: stamp(r.timestampMs) }) : undefined);
      return only(result(iq, el('metadata', { xmlns: NS.mam }, edge('start', first), edge('end', last))));
    }
    if (iq.attrs['type'] !== 'set' || !query) return only(errorReply(iq, 'bad-request'));
    const q = parseMamQuery(query, limits.maxResults);
    const selected = await select(store, account, q);
    // Cut in the order read, so that a page back keeps its newest results.
    const taken: { row: ArchivedRow; xml: string }[] = [];
    let bytes = 0;
    for (const row of selected.rows) {
      const xml = resultMessage(row, fullJid, q.queryId);
      bytes += Buffer.byteLength(xml);
      if (bytes > limits.maxBytes && taken.length > 0) break;
      taken.push({ row, xml });
    }
    const complete = selected.complete && taken.length === selected.rows.length;
    if (selected.backwards) taken.reverse();
    if (q.flip) taken.reverse();
    const set = el('set', { xmlns: NS.rsm },
      taken.length ? el('first', {}, taken[0]!.row.archiveId) : undefined,
      taken.length ? el('last', {}, taken.at(-1)!.row.archiveId) : undefined,
      taken.length ? undefined : el('count', {}, '0'));
    const fin = result(iq, el('fin', { xmlns: NS.mam, queryid: q.queryId, ...(complete ? { complete: 'true' } : {}) }, set));
    return { stanzas: [...taken.map((t) => t.xml), serialize(fin)], resultIds: taken.map((t) => t.row.archiveId) };
  } catch (err) {
    if (err instanceof MamQueryError) return only(errorReply(iq, err.condition, { text: err.message }));
    throw err;
  }
}
