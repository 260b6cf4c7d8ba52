import { ack, consumeEvents, type Bus, type RunningConsumer } from '@concord/bus';
import { CommitOutcome, HistoryEventType, publishCommit, type HistoryEvent } from '@concord/events';
import type { Logger } from '@concord/log';
import { concord } from '@concord/proto';
import type { Worker } from '@concord/runtime';
import type { ArchiveStore } from '@concord/storage';
import { annotateActiveSpan } from '@concord/telemetry';
import { ArchiveAttr } from '../metrics';
import { applyHistoryEvent } from '../projection/apply';
import { idIndexRead } from '../projection/id-index-read';
import { writeFailure } from '../projection/write-failure';
import type { Watermark } from './watermark';

/** The longest wait between two attempts at a failing write. */
const MAX_BACKOFF_MS = 30_000;

/** Events handled at once across accounts (each account's stay in order). */
const MAX_IN_FLIGHT = 256;

/** How long a sender's copy waits for the recipient's copy (an earlier event) before committing anyway. */
const DEPENDENCY_WAIT_MS = 30_000;

/**
 * Projects history events into Cassandra: the stream sequence is the row's position in its
 * account's archive. Accounts are written concurrently, each strictly in stream order (a
 * failing write is retried in place, so nothing after it for that account is written first);
 * the committed watermark is the contiguous floor of handled sequences. The sender's copy, once
 * written and once the recipient's copy it depends on is written too, is committed back to the
 * gateway that accepted it — that commit is the client's Stream Management ack.
 */
export function historyWorker(bus: Bus, store: ArchiveStore, log: Logger, watermark: Watermark, opts: { retryForMs: number }): Worker {
  let running: RunningConsumer | undefined;
  const commit = (e: HistoryEvent, outcome: concord.events.v1.Commit_Outcome, failureReason = '') =>
    publishCommit(bus, e.replyGatewayNode, concord.events.v1.Commit.fromPartial({
      inboundId: e.inboundId, streamId: e.replyStreamId, streamSeq: e.replyStreamSeq, outcome, archiveId: e.archiveId, failureReason, originId: e.originId,
    }), `archived:${e.owner}:${e.archiveId}`);
  return {
    name: 'history',
    async start() {
      // Everything the durable consumer has acknowledged before this start is committed.
      const info = await bus.jsm.consumers.info(bus.names.stream('history'), bus.names.durable('archive', 'history'));
      watermark.advance(info.ack_floor.stream_seq);
      const duplicateWindowMs = (await bus.jsm.streams.info(bus.names.stream('history'))).config.duplicate_window / 1e6;
      running = await consumeEvents(bus.js, HistoryEventType, {
        stream: bus.names.stream('history'), durable: bus.names.durable('archive', 'history'), log, batch: 512, inOrder: { maxAttempts: 20 },
        lanes: { keyOf: (subject, account) => account ?? subject, maxInFlight: MAX_IN_FLIGHT },
        onSettled: (floor) => watermark.advance(floor),
      },
        async ({ value, streamSeq, storedAtMs }) => {
          const idIndex = idIndexRead(value, storedAtMs, duplicateWindowMs);
          annotateActiveSpan({ [ArchiveAttr.idIndex]: idIndex.verdict });
          let failingSince: number | undefined;
          for (let attempt = 1; ; attempt++) {
            try {
              await applyHistoryEvent(store, value, streamSeq, { readIdIndex: idIndex.verdict === 'read' });
              break;
            } catch (err) {
              failingSince ??= Date.now();
              const failingForMs = Date.now() - failingSince;
              const failure = writeFailure(err, failingForMs, opts.retryForMs);
              if (failure.verdict === 'retry') {
                log.warn({ err: (err as Error).message, attempt }, 'archive write failed; retrying in place');
                await new Promise((r) => setTimeout(r, Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt, Math.max(0, opts.retryForMs - failingForMs))));
                continue;
              }
              log.error({ err: (err as Error).message, owner: value.owner, archiveId: value.archiveId, attempt, why: failure.reason }, 'archive write failed for good; acking the sender with a failure notice');
              if (value.replyGatewayNode) await commit(value, CommitOutcome.OUTCOME_ARCHIVE_FAILED, failure.notice);
              return { kind: 'drop', reason: `archive ${failure.notice}` };
            }
          }
          watermark.markWritten(streamSeq);
          if (value.replyGatewayNode) {
            const dep = Number(value.dependsOnPosition);
            if (dep > 0 && !await watermark.written(dep, DEPENDENCY_WAIT_MS)) {
              log.warn({ owner: value.owner, archiveId: value.archiveId, dependsOn: dep }, 'the other copy of a message is not written yet; committing the sender\'s copy anyway');
            }
            await commit(value, CommitOutcome.OUTCOME_ARCHIVED);
          }
          return ack;
        });
    },
    async stop() {
      await running?.stop();
    },
  };
}
