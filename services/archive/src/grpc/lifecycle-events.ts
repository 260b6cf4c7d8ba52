import { randomUUID } from 'node:crypto';
import { partitionOf, publishEvent } from '@concord/bus';
import { HistoryEventType } from '@concord/events';
import { concord } from '@concord/proto';
import { status } from '@grpc/grpc-js';
import type { ApiDeps, CallContext } from './deps';
import { ApiError, unavailable } from './errors';

const Kind = concord.events.v1.HistoryEvent_Kind;

/**
 * Publishes a lifecycle event on the owner's history partition, like any message copy, so
 * that the archive applies it in order and a rebuild from the stream replays it. Returns its
 * position (the stream sequence; a re-publish within the stream's duplicate window gets the
 * first one's).
 */
async function publish(deps: ApiDeps, owner: string, fields: Partial<concord.events.v1.HistoryEvent>, msgId: string): Promise<number> {
  const ack = await publishEvent(deps.bus.publisher, deps.bus.names.subjects.history(partitionOf(owner, deps.bus.names.partitions)), HistoryEventType,
    concord.events.v1.HistoryEvent.fromPartial({ owner, timestampMs: Date.now(), ...fields }), { msgId, account: owner });
  return ack.seq;
}

export function publishRetract(deps: ApiDeps, owner: string, targetArchiveId: string): Promise<number> {
  return publish(deps, owner, { kind: Kind.KIND_RETRACT, targetArchiveId }, `h:${owner}:retract:${targetArchiveId}`);
}

export function publishDeleteArchive(deps: ApiDeps, owner: string): Promise<number> {
  return publish(deps, owner, { kind: Kind.KIND_DELETE_ARCHIVE }, `h:${owner}:delete:${randomUUID()}`);
}

/**
 * Waits until the archive has applied everything up to `position`, bounded by the call's
 * deadline and the configured limit. The event is in the log either way: it will be applied.
 */
export async function applied(deps: ApiDeps, ctx: CallContext, position: number): Promise<void> {
  const limit = Math.min(deps.applyTimeoutMs, ctx.deadlineMs - Date.now());
  await deps.watermark.reached(position, Math.max(0, limit));
  if (deps.watermark.position >= position) return;
  if (Date.now() >= ctx.deadlineMs) throw new ApiError(status.DEADLINE_EXCEEDED, `accepted at position ${position} but not applied before the deadline; it will be`);
  throw unavailable(`accepted at position ${position} but the archive has not applied it yet; it will be`);
}
