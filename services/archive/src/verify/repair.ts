import type { Bus } from '@concord/bus';
import type { ArchiveStore } from '@concord/storage';
import { applyWithRetry } from './apply-retry';
import { groupBy, isLifecycle, type Found, type Seen } from './check';
import { historyLastSeq, readHistory } from './history-range';
import { Lanes } from './lanes';
import type { VerifyReport, VerifyRequest } from './verify';

/** Accounts repaired at once (each one's events in order). */
const MAX_REPAIRS = 16;
/** Re-reads of the stream's newest events after a repair (see catchUp). */
const MAX_CATCH_UP_ROUNDS = 5;

/**
 * Applies each account's holes again, in stream order, with every retraction and deletion of
 * the account read after its first hole: the live archive applied those when the row was
 * missing, so they found nothing to change.
 */
export async function repair(store: ArchiveStore, holes: Found[], lifecycle: Map<string, Seen[]>, report: VerifyReport, req: VerifyRequest): Promise<void> {
  const lanes = new Lanes(MAX_REPAIRS);
  for (const [owner, own] of groupBy(holes, (h) => h.hole.owner)) {
    const first = own[0]!.seq;
    const steps = new Map<number, Seen | Found>((lifecycle.get(owner) ?? []).filter((l) => l.seq > first).map((l) => [l.seq, l]));
    for (const h of own) steps.set(h.seq, h);
    await lanes.push(owner, async () => {
      for (const step of [...steps.values()].sort((a, b) => a.seq - b.seq)) {
        if (req.signal?.aborted) {
          report.aborted = true;
          return;
        }
        try {
          const result = await applyWithRetry(store, step.event, step.seq);
          if ('hole' in step) {
            report.repaired++;
            req.onRepaired?.(step.hole, result);
          }
        } catch (err) {
          if ('hole' in step) report.failed.push({ hole: step.hole, error: (err as Error).message });
          else throw err;
        }
      }
    });
  }
  await lanes.drain();
}

/**
 * A retraction or deletion stored after the stream was read may have been applied by the live
 * archive before the repair wrote the row it concerns. Reads the newer events and applies
 * those of the repaired accounts again, until a read finds none: anything stored after that
 * read is applied by the live archive after the repair's writes.
 */
export async function catchUp(bus: Pick<Bus, 'js' | 'jsm' | 'names'>, store: ArchiveStore, owners: Set<string>, readEnd: number, account: string | undefined): Promise<void> {
  let after = readEnd;
  for (let round = 0; round < MAX_CATCH_UP_ROUNDS; round++) {
    const last = (await historyLastSeq(bus.jsm, bus.names)) ?? 0;
    if (last <= after) return;
    const lanes = new Lanes(MAX_REPAIRS);
    let applied = 0;
    for await (const { seq, event } of readHistory(bus.js, bus.names, { from: { seq: after + 1 }, upTo: last, ...(account ? { account } : {}) })) {
      if (!event || !owners.has(event.owner) || !isLifecycle(event)) continue;
      applied++;
      await lanes.push(event.owner, async () => void await applyWithRetry(store, event, seq));
    }
    await lanes.drain();
    if (applied === 0) return;
    after = last;
  }
}
