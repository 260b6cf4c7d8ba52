import { concord } from '@concord/proto';
import { accountOf } from '../account';
import type { ApiDeps, CallContext } from '../deps';
import { applied, publishDeleteArchive } from '../lifecycle-events';

/** DeleteAccountArchive: one event in the owner's history; everything before it goes. */
export async function deleteAccountArchive(req: concord.archive.v1.DeleteAccountArchiveRequest, deps: ApiDeps, ctx: CallContext): Promise<concord.archive.v1.DeleteAccountArchiveResponse> {
  const account = accountOf(req.account);
  const position = await publishDeleteArchive(deps, account);
  deps.log.info({ account, position, caller: ctx.caller }, 'account archive deletion accepted');
  await applied(deps, ctx, position);
  return { position };
}
