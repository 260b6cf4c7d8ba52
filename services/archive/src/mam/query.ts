import type { Element } from '@concord/xml';
import { NS } from '@concord/xmpp';

/** A XEP-0313 query (v2 with urn:xmpp:mam:2#extended) read from the client's <query/>. */
export interface MamQuery {
  queryId: string | undefined;
  with: string | undefined;
  startMs: number | undefined;
  endMs: number | undefined;
  /** Results strictly after this archive ID (RSM <after> or the after-id field). */
  afterId: string | undefined;
  /** Results strictly before this ID; '' (an empty RSM <before/>) means "the last page". */
  beforeId: string | undefined;
  ids: string[] | undefined;
  max: number;
  flip: boolean;
}

export const DEFAULT_MAX = 50;
export const MAX_MAX = 250;

export class MamQueryError extends Error {
  constructor(readonly condition: 'bad-request' | 'item-not-found' | 'not-acceptable', message: string) {
    super(message);
  }
}

function fieldValues(form: Element | undefined, name: string): string[] | undefined {
  const field = form?.getChildren('field', NS.dataForms).find((f) => f.attrs['var'] === name);
  return field?.getChildren('value', NS.dataForms).map((v) => v.text().trim());
}

function date(text: string | undefined, what: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new MamQueryError('bad-request', `${what} is not a XEP-0082 date-time`);
  return ms;
}

/** `maxMax`: the most results a page may hold (a larger RSM max is lowered to it). */
export function parseMamQuery(query: Element, maxMax = MAX_MAX): MamQuery {
  const form = query.getChild('x', NS.dataForms);
  const one = (name: string) => fieldValues(form, name)?.[0];
  const set = query.getChild('set', NS.rsm);
  const maxText = set?.getChildText('max', NS.rsm);
  const max = maxText === undefined ? DEFAULT_MAX : Number(maxText);
  if (!Number.isInteger(max) || max < 0) throw new MamQueryError('bad-request', 'RSM max must be a non-negative integer');
  const rsmAfter = set?.getChildText('after', NS.rsm);
  const rsmBefore = set?.getChild('before', NS.rsm);
  const ids = fieldValues(form, 'ids');
  return {
    queryId: query.attrs['queryid'],
    with: one('with') || undefined,
    startMs: date(one('start'), 'start'),
    endMs: date(one('end'), 'end'),
    afterId: rsmAfter ?? (one('after-id') || undefined),
    beforeId: rsmBefore ? rsmBefore.text().trim() : one('before-id') || undefined,
    ids: ids && ids.length > 0 ? ids : undefined,
    max: Math.min(max, maxMax),
    flip: query.getChild('flip-page', NS.mam) !== undefined,
  };
}
