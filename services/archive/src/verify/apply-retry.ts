import { backoffMs, sleep } from '@concord/bus';
import type { HistoryEvent } from '@concord/events';
import type { ArchiveStore } from '@concord/storage';
import { applyHistoryEvent, type ApplyResult } from '../projection/apply';

/** Tries per event before a replay gives up on it (Cassandra briefly unavailable is retried). */
const MAX_ATTEMPTS = 5;

/**
 * Applies one event of a replay (a rebuild, a repair) through the archive's own projection,
 * retrying with backoff; throws once every attempt failed, naming the event.
 */
export async function applyWithRetry(store: ArchiveStore, event: HistoryEvent, seq: number): Promise<ApplyResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyHistoryEvent(store, event, seq);
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`the event at position ${seq} (${event.owner}) could not be applied: ${(err as Error).message}`);
      await sleep(backoffMs({ firstMs: 500, maxMs: Infinity }, attempt));
    }
  }
}
