import { randomBytes } from 'node:crypto';
import type { ArchiveStore, ArchivedRow } from '@concord/storage';
import { el, parseElement, type Element } from '@concord/xml';
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

/** One archived message as a XEP-0313 result for the session. */
export function resultMessage(row: ArchivedRow, to: string, queryId: string | undefined): Element {
  return el('message', { to, from: row.owner, id: randomBytes(8).toString('base64url') },
    el('result', { xmlns: NS.mam, queryid: queryId, id: row.archiveId },
      el('forwarded', { xmlns: NS.forward }, el('delay', { xmlns: NS.delay, stamp: stamp(row.timestampMs) }), parseElement(row.stanza, undefined, NS.client))));
}

async function positionOf(store: ArchiveStore, owner: string, id: string): Promise<number> {
  const row = await store.byId(owner, id);
  if (!row) throw new MamQueryError('item-not-found', `no archived message with id ${id}`);
  return row.position;
}

async function select(store: ArchiveStore, owner: string, q: MamQuery): Promise<{ rows: ArchivedRow[]; complete: boolean }> {
  if (q.ids) {
    const rows = (await Promise.all(q.ids.map((id) => store.byId(owner, id)))).filter((r): r is ArchivedRow => r !== undefined);
    return { rows: rows.sort((a, b) => a.position - b.position).slice(0, q.max), complete: true };
  }
  const base = { startMs: q.startMs, endMs: q.endMs, with: q.with, limit: q.max + 1 };
  // Before an ID, or an empty <before/> (the last page): read newest first, return oldest first.
  const backwards = q.beforeId !== undefined;
  const rows = await store.page(owner, {
    ...base,
    ...(q.afterId ? { afterPosition: await positionOf(store, owner, q.afterId) } : {}),
    ...(q.beforeId ? { beforePosition: await positionOf(store, owner, q.beforeId) } : {}),
    reverse: backwards,
  });
  const complete = rows.length <= q.max;
  const page = rows.slice(0, q.max);
  return { rows: backwards ? page.reverse() : page, complete };
}

/**
 * Answers a XEP-0313 request on the account's own archive: the stanzas to write to the
 * session, results first, then the IQ result with <fin/> (or an error).
 */
export async function answerMam(store: ArchiveStore, account: string, fullJid: string, iq: Element): Promise<Element[]> {
  const query = iq.getChild('query', NS.mam);
  try {
    if (iq.attrs['type'] === 'get' && query) return [form(iq)];
    if (iq.attrs['type'] === 'get' && iq.getChild('metadata', NS.mam)) {
      const [first] = await store.page(account, { limit: 1, reverse: false });
      const [last] = await store.page(account, { limit: 1, reverse: true });
      const edge = (name: string, r: ArchivedRow | undefined) => (r ? el(name, { id: r.archiveId, timestamp: stamp(r.timestampMs) }) : undefined);
      return [result(iq, el('metadata', { xmlns: NS.mam }, edge('start', first), edge('end', last)))];
    }
    if (iq.attrs['type'] !== 'set' || !query) return [errorReply(iq, 'bad-request')];
    const q = parseMamQuery(query);
    const { rows, complete } = await select(store, account, q);
    const ordered = q.flip ? [...rows].reverse() : rows;
    const set = el('set', { xmlns: NS.rsm },
      ordered.length ? el('first', {}, ordered[0]!.archiveId) : undefined,
      ordered.length ? el('last', {}, ordered.at(-1)!.archiveId) : undefined,
      ordered.length ? undefined : el('count', {}, '0'));
    return [
      ...ordered.map((r) => resultMessage(r, fullJid, q.queryId)),
      result(iq, el('fin', { xmlns: NS.mam, queryid: q.queryId, ...(complete ? { complete: 'true' } : {}) }, set)),
    ];
  } catch (err) {
    if (err instanceof MamQueryError) return [errorReply(iq, err.condition, { text: err.message })];
    throw err;
  }
}
