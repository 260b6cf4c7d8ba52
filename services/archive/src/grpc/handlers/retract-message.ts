import { concord } from '@concord/proto';
import { describeStanza } from '../../projection/tombstone';
import { accountOf } from '../account';
import type { ApiDeps, CallContext } from '../deps';
import { invalid, notFound, unavailable } from '../errors';
import { applied, publishRetract } from '../lifecycle-events';
import { toMessage } from '../messages';

/** RetractMessage: one event in the owner's history; the message becomes a tombstone in place. */
export async function retractMessage(req: concord.archive.v1.RetractMessageRequest, deps: ApiDeps, ctx: CallContext): Promise<concord.archive.v1.RetractMessageResponse> {
  const account = accountOf(req.account);
  if (!req.archiveId) throw invalid('archive_id is required');
  const before = await deps.store.byId(account, req.archiveId);
  if (!before) throw notFound(`${account} has no archived message ${req.archiveId}`);
  const alreadyRetracted = describeStanza(before.stanza).retracted;
  const position = await publishRetract(deps, account, req.archiveId);
  await applied(deps, ctx, position);
  const after = await deps.store.byId(account, req.archiveId);
  // Deleted between the check and the retraction: it is gone, which is more than retracted.
  if (!after) throw notFound(`${account} has no archived message ${req.archiveId} any more`);
  if (!describeStanza(after.stanza).retracted) throw unavailable('the retraction was not applied; retry');
  return concord.archive.v1.RetractMessageResponse.fromPartial({ position, tombstone: toMessage(after), alreadyRetracted });
}
