import { ack, consumeEvents, type Bus, type RunningConsumer, type Verdict } from '@concord/bus';
import { InboundStanzaEvent, CommitOutcome, publishCommit } from '@concord/events';
import type { Logger } from '@concord/log';
import { concord } from '@concord/proto';
import { PushAccounts, SessionDirectory, SessionRegistry } from '@concord/registry';
import type { Worker } from '@concord/runtime';
import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { ArchiveStore } from '@concord/storage';
import { AppliedThrough, watchAppliedThrough } from '../routing/applied-through';
import { IdCheck } from '../routing/id-check';
import type { Outcome as RouteOutcome, RouteContext } from '../routing/route-context';
import { routeIq } from '../routing/route-iq';
import { routeMessage } from '../routing/route-message';
import { routePresence } from '../routing/route-presence';

/** Stanzas routed at once across accounts. */
const MAX_IN_FLIGHT = 256;

/**
 * Reads accepted stanzas in order per account partition and applies the routing rules. The
 * outcome goes back to the gateway that accepted the stanza (its Stream Management ack): from
 * here for everything that is not archived, from the archive once a persistent message's
 * sender copy is written. Presence goes on to the presence service.
 */
export function inboundWorker(bus: Bus, domain: string, archive: ArchiveStore, log: Logger): Worker {
  let running: RunningConsumer | undefined;
  let sessions: SessionDirectory | undefined;
  let pushAccounts: PushAccounts | undefined;
  let progress: { stop(): void } | undefined;
  return {
    name: 'inbound',
    async start() {
      const kv = await bus.kv('sessions');
      sessions = await SessionDirectory.open(kv, bus.settings.sessionTtlMs);
      pushAccounts = await PushAccounts.open(await bus.kv('pushAccounts'));
      const appliedThrough = new AppliedThrough();
      progress = await watchAppliedThrough(bus, appliedThrough, log);
      const ctx: RouteContext = { bus, registry: new SessionRegistry(kv), sessions, pushAccounts, domain, log, archive, idCheck: new IdCheck(archive, log), appliedThrough };
      running = await consumeEvents(bus.js, InboundStanzaEvent, {
        stream: bus.names.stream('inbound'), durable: bus.names.durable('router', 'inbound'), log, inOrder: { maxAttempts: 20 },
        // Accounts are independent: one account's stanzas stay in order, others pass (the
        // partition subject is the lane of events without an account header).
        lanes: { keyOf: (subject, account) => account ?? subject, maxInFlight: MAX_IN_FLIGHT },
      }, async ({ value, deliveryCount }): Promise<Verdict> => {
        let stanza;
        try {
          stanza = parseElement(value.xml, undefined, NS.client);
        } catch (err) {
          return { kind: 'drop', reason: `unparsable stanza: ${(err as Error).message}` };
        }
        let outcome: RouteOutcome = 'routed';
        if (stanza.name === 'message') outcome = await routeMessage(ctx, value, stanza, deliveryCount > 1);
        else if (stanza.name === 'iq') await routeIq(ctx, value, stanza);
        else if (stanza.name === 'presence') await routePresence(ctx, value);
        if (outcome !== 'archive-commits') {
          await publishCommit(bus, value.gatewayNode, concord.events.v1.Commit.fromPartial({
            inboundId: value.id, streamId: value.streamId, streamSeq: value.streamSeq,
            outcome: outcome === 'already-archived' ? CommitOutcome.OUTCOME_ARCHIVED : CommitOutcome.OUTCOME_ROUTED,
          }), `commit:${value.id}`);
        }
        return ack;
      }).catch((err: unknown) => {
        // No stop() follows a failed start: the poller must not outlive it.
        progress?.stop();
        throw err;
      });
    },
    async stop() {
      await running?.stop();
      progress?.stop();
      await sessions?.stop();
      await pushAccounts?.stop();
    },
  };
}
