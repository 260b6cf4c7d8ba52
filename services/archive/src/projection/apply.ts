import type { HistoryEvent } from '@concord/events';
import { concord } from '@concord/proto';
import { ArchiveLifecycleStore, bucketOf, ConversationStore, type ArchiveStore, type WriteResult } from '@concord/storage';
import { timedWrite } from '../metrics';
import { describeStanza, tombstoneOf } from './tombstone';

const Kind = concord.events.v1.HistoryEvent_Kind;

export type ApplyResult = WriteResult | 'retracted' | 'deleted' | 'ignored';

/**
 * Applies one history event to the archive tables at its position (the stream sequence). The
 * archive is a projection of the history stream: replaying the stream from the start through
 * this function rebuilds it, and applying an event twice leaves the same state.
 *
 * - MESSAGE: a row at the position (a second event with an ID the account has is a
 *   duplicate), and the conversation state: last message with a body, unread index, and
 *   read_through for anything the owner sent. A message older than the store's retention is
 *   skipped ('expired'): its row would already have expired.
 * - RETRACT: the target's stanza becomes a XEP-0424 tombstone (same position and ID), it stops
 *   counting as unread, and the change is logged at the event's position.
 * - DELETE_ARCHIVE: every row of the owner below the position goes, with its ID, empty
 *   buckets, conversation state and older changes; later rows stay.
 */
export function applyHistoryEvent(store: ArchiveStore, event: HistoryEvent, position: number, opts: ApplyOptions = { readIdIndex: true }): Promise<ApplyResult> {
  return timedWrite(store, event, position, () => applyOne(store, event, position, opts));
}

export interface ApplyOptions {
  /** MESSAGE: look the archive ID up first (false only on the verdict of `idIndexRead`). */
  readIdIndex: boolean;
}

async function applyOne(store: ArchiveStore, event: HistoryEvent, position: number, opts: ApplyOptions): Promise<ApplyResult> {
  switch (event.kind) {
    case Kind.KIND_RETRACT:
      return retract(store, event, position);
    case Kind.KIND_DELETE_ARCHIVE:
      await new ArchiveLifecycleStore(store.client).deleteBefore(event.owner, position);
      await new ConversationStore(store.client).clearBefore(event.owner, position);
      await new ArchiveLifecycleStore(store.client).recordChange({ owner: event.owner, position, kind: 'delete', targetId: '' });
      return 'deleted';
    default:
      return message(store, event, position, opts);
  }
}

async function message(store: ArchiveStore, e: HistoryEvent, position: number, opts: ApplyOptions): Promise<WriteResult> {
  const conversation = ConversationStore.messageStatements(e.owner, e.with, {
    position, bucket: bucketOf(e.timestampMs), archiveId: e.archiveId, timestampMs: e.timestampMs, outgoing: e.outgoing,
    hasBody: describeStanza(e.xml).body !== '',
  });
  return store.write({
    owner: e.owner, position, archiveId: e.archiveId, with: e.with, outgoing: e.outgoing,
    timestampMs: e.timestampMs, originId: e.originId, stanza: e.xml,
  }, conversation, opts);
}

async function retract(store: ArchiveStore, e: HistoryEvent, position: number): Promise<ApplyResult> {
  const row = await store.byId(e.owner, e.targetArchiveId);
  // Unknown, or deleted since the request was accepted: nothing to retract.
  if (!row || row.position > position) return 'ignored';
  // A row past the retention is about to vanish: nothing to retract.
  if (!describeStanza(row.stanza).retracted && !await store.replaceStanza(row, tombstoneOf(row.stanza, e.timestampMs))) return 'ignored';
  if (!row.outgoing) await new ConversationStore(store.client).forgetIncoming(e.owner, row.with, row.position, position);
  await new ArchiveLifecycleStore(store.client).recordChange({ owner: e.owner, position, kind: 'retract', targetId: e.targetArchiveId });
  return 'retracted';
}
