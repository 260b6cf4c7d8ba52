import { concord } from '@concord/proto';
import type { ArchivedRow } from '@concord/storage';
import { accountOf } from '../account';
import type { ApiDeps } from '../deps';
import { invalid } from '../errors';
import { toMessage } from '../messages';
import { MAX_PAGE } from './query';

/** GetMessages: messages by archive ID, in position order; unknown IDs are listed, not an error. */
export async function getMessages(req: concord.archive.v1.GetMessagesRequest, deps: ApiDeps): Promise<concord.archive.v1.GetMessagesResponse> {
  const account = accountOf(req.account);
  const ids = [...new Set(req.archiveIds)];
  if (ids.length === 0) throw invalid('archive_ids is empty');
  if (ids.length > MAX_PAGE) throw invalid(`at most ${MAX_PAGE} archive_ids per call`);
  if (ids.some((id) => id === '' || id.length > 128)) throw invalid('an archive ID is empty or too long');
  const rows = await Promise.all(ids.map((id) => deps.store.byId(account, id)));
  const found = rows.filter((r): r is ArchivedRow => r !== undefined).sort((a, b) => a.position - b.position);
  return concord.archive.v1.GetMessagesResponse.fromPartial({
    messages: found.map(toMessage),
    missingIds: ids.filter((_, i) => rows[i] === undefined),
  });
}
