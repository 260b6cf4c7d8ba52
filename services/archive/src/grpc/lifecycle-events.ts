import { publishArchiveDeletion, publishLifecycle } from '@concord/events';
import { concord } from '@concord/proto';
import { status } from '@grpc/grpc-js';
import type { ApiDeps, CallContext } from './deps';
import { ApiError, unavailable } from './errors';

const Kind = concord.events.v1.HistoryEvent_Kind;

export function publishRetract(deps: ApiDeps, owner: string, targetArchiveId: string): Promise<number> {
  return publishLifecycle(deps.bus, owner, { kind: Kind.KIND_RETRACT, targetArchiveId }, `h:${owner}:retract:${targetArchiveId}`);
}

export function publishDeleteArchive(deps: ApiDeps, owner: string): Promise<number> {
  return publishArchiveDeletion(deps.bus, owner);
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
