import type { Bus } from '@concord/bus';
import { concord } from '@concord/proto';
import type { ArchiveStore } from '@concord/storage';
import type { ApplyResult } from '../projection/apply';
import { check, groupBy, isLifecycle, type Found, type Hole, type Seen } from './check';
import { historyLastSeq, readHistory, type HistoryStart } from './history-range';
import { restoreMessage } from './holes';
import { catchUp, repair } from './repair';

export type { Hole } from './check';

const Kind = concord.events.v1.HistoryEvent_Kind;

/**
 * Events read from the stream before their rows are read back: large enough that one
 * account's events in it share a read (one IN query per account and bucket).
 */
const CHECK_BATCH = 2048;

export interface VerifyRequest {
  from: HistoryStart;
  /**
   * The last position checked: the archive has applied every event up to it (its consumer's
   * ack floor). Later events are being written; they are read only for their deletions and
   * retractions, which a repair must not undo.
   */
  upTo: number;
  /** One account's archive; undefined: every account's. */
  account?: string;
  /** Apply the events of the holes again (otherwise only report them). */
  repair: boolean;
  signal?: AbortSignal;
  onHole?: (hole: Hole) => void;
  onRepaired?: (hole: Hole, result: ApplyResult) => void;
  /** Every event read, by position (progress). */
  onRead?: (position: number) => void;
}

export interface VerifyReport {
  /** Events of the range read and checked. */
  checked: number;
  /** Positions checked: from the first event read to `upTo` (0, 0 when none). */
  firstPosition: number;
  lastPosition: number;
  holes: Hole[];
  repaired: number;
  /** Holes whose event could not be applied again. */
  failed: { hole: Hole; error: string }[];
  /** Stopped by the signal before the end. */
  aborted: boolean;
}

/**
 * Checks the archive against the history stream it is a projection of (DESIGN §3.4): reads
 * the events of a range with an ordered consumer, reads their rows back in batches (one
 * account's at a time, several accounts at once), and with `repair` applies the events of the
 * holes again through the archive's own projection, each account's in stream order followed
 * by its later retractions and deletions, so that a repaired message that was retracted is a
 * tombstone again. A missing message that a later deletion of its account removed is not a
 * hole: restoring it would resurrect it.
 */
export async function verifyArchive(bus: Pick<Bus, 'js' | 'jsm' | 'names'>, store: ArchiveStore, req: VerifyRequest): Promise<VerifyReport> {
  const report: VerifyReport = { checked: 0, firstPosition: 0, lastPosition: 0, holes: [], repaired: 0, failed: [], aborted: false };
  const readEnd = (await historyLastSeq(bus.jsm, bus.names)) ?? 0;
  const upTo = Math.min(req.upTo, readEnd);
  if (upTo <= 0) return report;
  const found: Found[] = [];
  const lifecycleSeen: Seen[] = [];
  let batch: Seen[] = [];
  // One batch is read back while the next is read from the stream.
  let checking: Promise<void> = Promise.resolve();
  const checkInBackground = (seen: Seen[]) => {
    checking = checking.then(async () => void found.push(...await check(store, seen)));
    // Its failure surfaces at the next await of it; a read of the stream failing first must
    // not leave it unhandled.
    checking.catch(() => undefined);
  };
  for await (const { seq, event } of readHistory(bus.js, bus.names, { from: req.from, upTo: readEnd, ...(req.account ? { account: req.account } : {}), ...(req.signal ? { signal: req.signal } : {}) })) {
    req.onRead?.(seq);
    if (!event || (req.account !== undefined && event.owner !== req.account)) continue;
    if (isLifecycle(event)) lifecycleSeen.push({ seq, event });
    if (seq > upTo) continue;
    report.firstPosition ||= seq;
    report.lastPosition = seq;
    report.checked++;
    batch.push({ seq, event });
    if (batch.length >= CHECK_BATCH) {
      await checking;
      checkInBackground(batch);
      batch = [];
    }
  }
  await checking;
  if (req.signal?.aborted) {
    report.aborted = true;
    return report;
  }
  found.push(...await check(store, batch));

  const lifecycle = groupBy(lifecycleSeen, (l) => l.event.owner);
  const holes: Found[] = [];
  for (const f of found.sort((a, b) => a.seq - b.seq)) {
    const deletions = (lifecycle.get(f.hole.owner) ?? []).filter((l) => l.event.kind === Kind.KIND_DELETE_ARCHIVE).map((l) => l.seq);
    if (f.event.kind === Kind.KIND_MESSAGE && restoreMessage(f.seq, deletions).verdict === 'deleted') continue;
    holes.push(f);
    report.holes.push(f.hole);
    req.onHole?.(f.hole);
  }
  if (!req.repair || holes.length === 0) return report;
  await repair(store, holes, lifecycle, report, req);
  if (report.aborted) return report;
  await catchUp(bus, store, new Set(holes.map((h) => h.hole.owner)), readEnd, req.account);
  return report;
}
