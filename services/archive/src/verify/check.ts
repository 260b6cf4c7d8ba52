import type { HistoryEvent } from '@concord/events';
import { concord } from '@concord/proto';
import { bucketOf, firstRowBelow, indexedPositions, storedPositions, ttlSeconds, type ArchiveStore } from '@concord/storage';
import { describeStanza } from '../projection/tombstone';
import { deletionHole, messageHole, retractionHole, type HoleKind } from './holes';
import { Lanes } from './lanes';

const Kind = concord.events.v1.HistoryEvent_Kind;

/** Accounts whose rows are read at once. */
const MAX_READS = 32;

/** A write the archive acknowledged and lost: an applied event whose effect is not in the tables. */
export interface Hole {
  owner: string;
  /** The message's archive ID (a retraction's target; '' for a deletion). */
  archiveId: string;
  /** The event's position (its stream sequence). */
  position: number;
  kind: HoleKind;
  reason: string;
}

/** An event read from the stream, at its position. */
export interface Seen {
  seq: number;
  event: HistoryEvent;
}

/** An event whose effect the archive lacks. */
export interface Found extends Seen {
  hole: Hole;
}

/** Retractions and deletions: events that change earlier rows of their account. */
export const isLifecycle = (e: HistoryEvent) => e.kind === Kind.KIND_RETRACT || e.kind === Kind.KIND_DELETE_ARCHIVE;

/** Items by key, each group in the items' order. */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const t of items) {
    const k = keyOf(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

/** Reads back what the archive holds of a batch of applied events; returns the holes. */
export async function check(store: ArchiveStore, batch: Seen[]): Promise<Found[]> {
  const found: Found[] = [];
  const lanes = new Lanes(MAX_READS);
  for (const [owner, seen] of groupBy(batch, (s) => s.event.owner)) {
    await lanes.push(owner, async () => {
      found.push(...await checkMessages(store, owner, seen.filter((s) => s.event.kind === Kind.KIND_MESSAGE)));
      for (const s of seen.filter((x) => isLifecycle(x.event))) {
        const f = await checkLifecycle(store, s);
        if (f) found.push(f);
      }
    });
  }
  await lanes.drain();
  return found;
}

async function checkMessages(store: ArchiveStore, owner: string, seen: Seen[]): Promise<Found[]> {
  // A message older than the retention has expired (or was never written): nothing to check.
  const live = seen.filter((s) => ttlSeconds(Number(s.event.timestampMs), store.retention) !== undefined);
  if (live.length === 0) return [];
  const indexed = await indexedPositions(store.client, owner, [...new Set(live.map((s) => s.event.archiveId))]);
  const stored = new Set<number>();
  for (const [bucket, inBucket] of groupBy(live, (s) => bucketOf(Number(s.event.timestampMs)))) {
    for (const p of await storedPositions(store.client, owner, bucket, inBucket.map((s) => s.seq))) stored.add(p);
  }
  const found: Found[] = [];
  for (const s of live) {
    const v = messageHole({ position: s.seq, indexedAt: indexed.get(s.event.archiveId), rowStored: stored.has(s.seq) });
    if (v.verdict !== 'ok') found.push({ ...s, hole: { owner, archiveId: s.event.archiveId, position: s.seq, kind: v.verdict, reason: v.reason } });
  }
  return found;
}

async function checkLifecycle(store: ArchiveStore, s: Seen): Promise<Found | undefined> {
  const { owner } = s.event;
  if (s.event.kind === Kind.KIND_RETRACT) {
    const row = await store.byId(owner, s.event.targetArchiveId);
    const v = retractionHole(s.seq, row && { position: row.position, retracted: describeStanza(row.stanza).retracted });
    return v.verdict === 'ok' ? undefined : { ...s, hole: { owner, archiveId: s.event.targetArchiveId, position: s.seq, kind: v.verdict, reason: v.reason } };
  }
  const v = deletionHole(s.seq, await firstRowBelow(store.client, owner, s.seq));
  return v.verdict === 'ok' ? undefined : { ...s, hole: { owner, archiveId: '', position: s.seq, kind: v.verdict, reason: v.reason } };
}
