import { concord } from '@concord/proto';
import { accountOf, peerOf } from '../account';
import type { ApiDeps } from '../deps';
import { invalid, notFound } from '../errors';
import { toMessage } from '../messages';
import { decodePageToken, encodePageToken } from '../page-token';

const v1 = concord.archive.v1;
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 250;

/** Page size asked for, defaulted and capped. */
export function pageSizeOf(asked: number, def: number, max: number): number {
  return asked === 0 ? def : Math.min(asked, max);
}

/** Query: one account's history, XEP-0313 filters, pages chained by opaque tokens. */
export async function query(req: concord.archive.v1.QueryRequest, deps: ApiDeps): Promise<concord.archive.v1.QueryResponse> {
  const account = accountOf(req.account);
  const withJid = peerOf(req.with);
  if (req.startMs < 0 || req.endMs < 0) throw invalid('start_ms and end_ms are Unix milliseconds (0: unbounded)');
  if (req.startMs && req.endMs && req.startMs > req.endMs) throw invalid('start_ms is after end_ms');
  const pageSize = pageSizeOf(req.pageSize, DEFAULT_PAGE, MAX_PAGE);
  const request = [account, withJid, req.startMs, req.endMs, req.afterId, req.beforeId, pageSize, req.newestFirst];
  const resumeAt = decodePageToken(req.pageToken, request);
  const positionOf = async (id: string) => {
    const position = await deps.store.positionOf(account, id);
    if (position === undefined) throw notFound(`${account} has no archived message ${id}`);
    return position;
  };
  let after = req.afterId ? await positionOf(req.afterId) : undefined;
  let before = req.beforeId ? await positionOf(req.beforeId) : undefined;
  if (resumeAt !== undefined) {
    if (req.newestFirst) before = resumeAt;
    else after = resumeAt;
  }
  const rows = await deps.store.page(account, {
    ...(after !== undefined ? { afterPosition: after } : {}),
    ...(before !== undefined ? { beforePosition: before } : {}),
    ...(req.startMs ? { startMs: req.startMs } : {}),
    ...(req.endMs ? { endMs: req.endMs } : {}),
    ...(withJid ? { with: withJid } : {}),
    limit: pageSize + 1,
    reverse: req.newestFirst,
  });
  const page = rows.slice(0, pageSize);
  return v1.QueryResponse.fromPartial({
    messages: page.map(toMessage),
    nextPageToken: rows.length > pageSize ? encodePageToken(page.at(-1)!.position, request) : '',
  });
}
