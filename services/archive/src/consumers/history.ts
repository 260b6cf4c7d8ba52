import { ack, consumeEvents, type Bus, type RunningConsumer, type Verdict, backoffMs, sleep } from '@concord/bus';
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
import { WritesInFlight } from './writes-in-flight';
import type { Watermark } from './watermark';

/**
 * The longest wait between two attempts at a failing write: once Cassandra is back, the held
 * acks flow again within about this long (plus the driver's reconnection delay).
 */
const MAX_BACKOFF_MS = 1_000;

/** A failing write is logged on its first attempt and then once every this many. */
const LOG_EVERY_ATTEMPTS = 15;

/** Events handled at once across accounts (each account's in order, its message rows written concurrently). */
const MAX_IN_FLIGHT = 256;

/**
 * A sender's copy waits for the recipient's copy (an earlier event) without a time limit: the ack
 * means both rows are stored (DESIGN §3.4). Every this often it also asks the server whether the
 * consumer's ack floor passed it (another archive instance may have written it).
 */
const DEPENDENCY_CHECK_MS = 5_000;

/** Why an event is left for redelivery instead of being finished: this instance is stopping. */
class Stopping extends Error {
  constructor() {
    super('the archive is stopping; the event is left for redelivery');
  }
}

/** Not acked: the server redelivers it at once to whoever reads the consumer next. */
const leaveForRedelivery: Verdict = { kind: 'retry', delayMs: 0, reason: 'the archive is stopping' };

/**
 * Projects history events into Cassandra: the stream sequence is the row's position in its
 * account's archive. Accounts are written concurrently, and so are an account's message rows
 * (each at its own position, a failing one retried in place); what depends on what is stored
 * waits for the writes before it that it depends on (WritesInFlight). Readers stop at the committed watermark, the
 * contiguous floor of handled sequences, so rows written out of order are never seen with a gap. The sender's copy, once
 * written and once the recipient's copy it depends on is written too, is committed back to the
 * gateway that accepted it — that commit is the client's Stream Management ack.
 */
export function historyWorker(bus: Bus, store: ArchiveStore, log: Logger, watermark: Watermark, opts: { retryForMs: number }): Worker {
  let running: RunningConsumer | undefined;
  let stopping = false;
  const stream = bus.names.stream('history');
  const durable = bus.names.durable('archive', 'history');
  const commit = (e: HistoryEvent, outcome: concord.events.v1.Commit_Outcome, failureReason = '') =>
    publishCommit(bus, e.replyGatewayNode, concord.events.v1.Commit.fromPartial({
      inboundId: e.inboundId, streamId: e.replyStreamId, streamSeq: e.replyStreamSeq, outcome, archiveId: e.archiveId, failureReason, originId: e.originId,
    }), `archived:${e.owner}:${e.archiveId}`);
  /**
   * Resolves once the event at `position` is finished here or, per the server, by anyone. Once
   * stopping it throws: events left for redelivery settle the local floor without being written.
   */
  const settled = async (e: HistoryEvent, position: number): Promise<void> => {
    for (let checks = 0; ; checks++) {
      const written = await watermark.written(position, DEPENDENCY_CHECK_MS);
      if (stopping) throw new Stopping();
      if (written) return;
      const floor = (await bus.jsm.consumers.info(stream, durable)).ack_floor.stream_seq;
      if (floor >= position) return;
      if (checks % LOG_EVERY_ATTEMPTS === 0) log.warn({ owner: e.owner, archiveId: e.archiveId, dependsOn: position }, 'the other copy of a message is not written yet; holding the sender\'s ack');
    }
  };
  const accountWrites = new WritesInFlight();
  const idWrites = new WritesInFlight();
  /**
   * Writes one event, retrying in place while the failure is transient. Not 'written': the
   * verdict for the event (left for redelivery when stopping, dropped when given up on).
   */
  const write = async (value: HistoryEvent, streamSeq: number, readIdIndex: boolean): Promise<'written' | Verdict> => {
    let failingSince: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        await applyHistoryEvent(store, value, streamSeq, { readIdIndex });
        return 'written';
      } catch (err) {
        failingSince ??= Date.now();
        const failingForMs = Date.now() - failingSince;
        const failure = writeFailure(err, failingForMs, opts.retryForMs);
        if (failure.verdict === 'retry') {
          if (stopping) return leaveForRedelivery;
          if (attempt % LOG_EVERY_ATTEMPTS === 1) log.warn({ err: (err as Error).message, attempt }, 'archive write failed; retrying in place');
          // Never past the retry period: the last attempt comes as it ends.
          await sleep(Math.min(backoffMs({ firstMs: 500, maxMs: MAX_BACKOFF_MS }, attempt), Math.max(0, opts.retryForMs - failingForMs)));
          continue;
        }
        log.error({ err: (err as Error).message, owner: value.owner, archiveId: value.archiveId, attempt, why: failure.reason }, 'archive write failed for good; acking the sender with a failure notice');
        watermark.markFailed(streamSeq, failure.notice);
        if (value.replyGatewayNode) await commit(value, CommitOutcome.OUTCOME_ARCHIVE_FAILED, failure.notice);
        return { kind: 'drop', reason: `archive ${failure.notice}` };
      }
    }
  };
  return {
    name: 'history',
    async start() {
      // Everything the durable consumer has acknowledged before this start is committed.
      stopping = false;
      const info = await bus.jsm.consumers.info(stream, durable);
      watermark.advance(info.ack_floor.stream_seq);
      const duplicateWindowMs = (await bus.jsm.streams.info(stream)).config.duplicate_window / 1e6;
      running = await consumeEvents(bus.js, HistoryEventType, {
        stream, durable, log, batch: 512, inOrder: { maxAttempts: 20 },
        lanes: { keyOf: (subject, account) => account ?? subject, maxInFlight: MAX_IN_FLIGHT },
        onSettled: (floor) => watermark.advance(floor),
      },
        async ({ value, streamSeq, storedAtMs, letLaneGoOn, stepAside }) => {
          // Nothing is started once stopping: an event of an account whose earlier one was left
          // for redelivery must not be written before it.
          if (stopping) return leaveForRedelivery;
          const idIndex = idIndexRead(value, storedAtMs, duplicateWindowMs);
          annotateActiveSpan({ [ArchiveAttr.idIndex]: idIndex.verdict });
          // Messages commute, except with an earlier one of the same archive ID when the ID
          // index is read; retractions and deletions wait for all of the account's writes.
          // Every earlier event of the account has been tracked by now (lanes start in order).
          const isMessage = value.kind === concord.events.v1.HistoryEvent_Kind.KIND_MESSAGE;
          const idKey = `${value.owner}\n${value.archiveId}`;
          if (!isMessage) await accountWrites.settled(value.owner);
          else if (idIndex.verdict === 'read') await idWrites.settled(idKey);
          const written = accountWrites.track(value.owner, write(value, streamSeq, idIndex.verdict === 'read'));
          if (isMessage) {
            idWrites.track(idKey, written);
            letLaneGoOn();
          }
          const outcome = await written;
          if (outcome !== 'written') return outcome;
          watermark.markWritten(streamSeq);
          if (value.replyGatewayNode) {
            const dep = Number(value.dependsOnPosition);
            if (dep > 0) {
              // Waiting for the other copy holds neither the account's lane nor a slot: the
              // copy waited for may be behind this one in the queue for slots.
              stepAside();
              try {
                await settled(value, dep);
              } catch (err) {
                if (err instanceof Stopping) return leaveForRedelivery;
                throw err;
              }
            }
            // The recipient's copy given up on: the sender is told, as for its own copy (DESIGN §3.4).
            const otherFailed = dep > 0 ? watermark.takeFailure(dep) : undefined;
            await commit(value, otherFailed ? CommitOutcome.OUTCOME_ARCHIVE_FAILED : CommitOutcome.OUTCOME_ARCHIVED, otherFailed ?? '');
          }
          return ack;
        });
    },
    async stop() {
      // Writes being retried and acks waiting for the other copy end now; their events are
      // redelivered (to another instance, or to this one after its restart) and written there.
      stopping = true;
      await running?.stop();
    },
  };
}
