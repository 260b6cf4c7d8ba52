import { concord } from '@concord/proto';
import { accountOf } from '../account';
import type { ApiDeps } from '../deps';
import { toMessage } from '../messages';
import { decodePageToken, encodePageToken } from '../page-token';
import { pageSizeOf } from './query';

/**
 * ListConversations: per peer the last message with a body, its time and the unread count,
 * most recent first. Unread = incoming messages with a body after the account's last outgoing
 * message or marker in that conversation, counted up to a cap.
 */
export async function listConversations(req: concord.archive.v1.ListConversationsRequest, deps: ApiDeps): Promise<concord.archive.v1.ListConversationsResponse> {
  const account = accountOf(req.account);
  const pageSize = pageSizeOf(req.pageSize, 50, 200);
  const request = [account, pageSize];
  const below = decodePageToken(req.pageToken, request) ?? Number.MAX_SAFE_INTEGER;
  const all = (await deps.conversations.list(account))
    .filter((c) => c.lastPosition > 0 && c.lastPosition < below)
    .sort((a, b) => b.lastPosition - a.lastPosition);
  const page = all.slice(0, pageSize);
  const conversations = await Promise.all(page.map(async (c) => {
    const [last, unread] = await Promise.all([deps.store.byId(account, c.lastArchiveId), deps.conversations.unread(account, c.with, c.readThrough)]);
    return concord.archive.v1.Conversation.fromPartial({
      with: c.with, lastTimestampMs: c.lastTimestampMs, unread: unread.count, unreadCapped: unread.capped, readThrough: c.readThrough,
      ...(last ? { lastMessage: toMessage(last) } : {}),
    });
  }));
  return concord.archive.v1.ListConversationsResponse.fromPartial({
    conversations,
    nextPageToken: all.length > pageSize ? encodePageToken(page.at(-1)!.lastPosition, request) : '',
  });
}
