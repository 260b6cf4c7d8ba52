import { once } from 'node:events';
import { concord } from '@concord/proto';
import { BUCKET_MS, bucketOf, type ArchiveChange } from '@concord/storage';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { accountOf } from '../account';
import type { ApiDeps, CallContext } from '../deps';
import { invalid } from '../errors';
import { toMessage } from '../messages';

type SyncEvent = concord.archive.v1.SyncEvent;
type Call = ServerWritableStream<concord.archive.v1.SyncRequest, SyncEvent>;

/** Rows read per Cassandra page while sending a range. */
const READ_PAGE = 200;

/**
 * Sync: the account's history after a position, then live changes, as one ordered stream of
 * positions. History and live are the same read — rows and change records with positions in
 * (cursor, watermark] — done once at open and again on every advance of the committed
 * watermark, so nothing committed is skipped (every position up to the watermark is written)
 * and nothing is sent twice (the cursor only moves forward). A client resumes with the last
 * position it received.
 */
export async function sync(req: concord.archive.v1.SyncRequest, call: Call, deps: ApiDeps, ctx: CallContext): Promise<void> {
  const account = accountOf(req.account);
  if (!Number.isSafeInteger(req.afterPosition) || req.afterPosition < 0) throw invalid('after_position is out of range');
  let cursor = req.afterPosition;
  // Reads after the first skip buckets older than the last row sent (one bucket of clock skew allowed).
  let fromMs: number | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = deps.watermark.onAdvance(() => wake?.());
  const ended = new Promise<void>((resolve) => ctx.onDone(() => (resolve(), wake?.())));

  // Backpressure: a slow client holds the reads, not the server's memory.
  const send = async (event: SyncEvent) => {
    if (call.write(event)) return;
    await Promise.race([once(call, 'drain'), ended]);
  };

  const sendRange = async (upTo: number) => {
    const changes: ArchiveChange[] = await deps.lifecycle.changesBetween(account, cursor, upTo);
    const flushChangesBefore = async (position: number) => {
      while (changes.length > 0 && changes[0]!.position < position && !ctx.done()) await send(await changeEvent(changes.shift()!));
    };
    let after = cursor;
    for (;;) {
      const rows = await deps.store.page(account, { afterPosition: after, beforePosition: upTo + 1, limit: READ_PAGE, reverse: false, ...(fromMs !== undefined ? { startMs: fromMs } : {}) });
      for (const row of rows) {
        await flushChangesBefore(row.position);
        if (ctx.done()) return;
        await send({ position: row.position, message: toMessage(row) });
        fromMs = (bucketOf(row.timestampMs) - 1) * BUCKET_MS;
      }
      if (rows.length < READ_PAGE) break;
      after = rows.at(-1)!.position;
    }
    await flushChangesBefore(Number.MAX_SAFE_INTEGER);
    if (!ctx.done()) cursor = upTo;
  };

  const changeEvent = async (c: ArchiveChange): Promise<SyncEvent> => {
    if (c.kind === 'delete') return { position: c.position, archiveDeleted: {} };
    const row = await deps.store.byId(account, c.targetId);
    return { position: c.position, retracted: { archiveId: c.targetId, ...(row ? { tombstone: toMessage(row) } : {}) } };
  };

  try {
    const openedAt = deps.watermark.position;
    if (openedAt > cursor) await sendRange(openedAt);
    if (ctx.done()) return;
    await send({ position: cursor, caughtUp: {} });
    while (!ctx.done()) {
      const w = deps.watermark.position;
      if (w > cursor) {
        await sendRange(w);
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}
