import { ack, consumeEvents, type Bus, type RunningConsumer } from '@concord/bus';
import { CommitEvent, CommitOutcome } from '@concord/events';
import type { Logger } from '@concord/log';
import { el } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { Worker } from '@concord/runtime';
import type { SessionTable } from '../session/connection-deps';

/**
 * Outcomes of this node's inbound stanzas, from the router and the archive. Each one lets the
 * session advance its Stream Management `h`; an archive failure also tells the client which
 * message could not be archived (DESIGN §7 archive-failed).
 */
export function commitsWorker(bus: Bus, node: string, sessions: SessionTable, domain: string, log: Logger): Worker {
  let running: RunningConsumer | undefined;
  return {
    name: 'commits',
    async start() {
      running = await consumeEvents(bus.js, CommitEvent, { stream: bus.names.stream('commits'), durable: bus.names.durable('gateway', `${node}-commits`), log }, async ({ value }) => {
        const session = sessions.byStreamId(value.streamId);
        if (!session) return ack; // the stream is gone: nothing left to acknowledge
        const notice = value.outcome === CommitOutcome.OUTCOME_ARCHIVE_FAILED
          ? el('message', { from: domain, to: session.jid.toString() },
            el('archive-failed', { xmlns: NS.concord, 'origin-id': value.originId, reason: value.failureReason || 'unavailable' }))
          : undefined;
        session.outcome(value.streamSeq, notice);
        return ack;
      });
    },
    async stop() {
      await running?.stop();
    },
  };
}
