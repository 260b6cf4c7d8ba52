/**
 * The event types that cross the bus, each declared once: its protobuf codec and the type
 * name sent in the Concord-Event-Type header; and the request/reply calls between services.
 * Producers, consumers, callers and responders import them from here.
 */
import { randomUUID } from 'node:crypto';
import { eventType, partitionOf, publishEvent, rpc, type Bus } from '@concord/bus';
import { concord } from '@concord/proto';

const v1 = concord.events.v1;

/** A stanza a gateway accepted (INBOUND stream); the router decides it. */
export const InboundStanzaEvent = eventType('concord.events.v1.InboundStanza', v1.InboundStanza);
/** One account's copy of a message (HISTORY stream); the archive stores it. */
export const HistoryEventType = eventType('concord.events.v1.HistoryEvent', v1.HistoryEvent);
/** A stanza's final outcome for the gateway that accepted it (COMMITS stream). */
export const CommitEvent = eventType('concord.events.v1.Commit', v1.Commit);
/** A live delivery to sessions on one gateway node (core NATS). */
export const DeliveryEvent = eventType('concord.events.v1.Delivery', v1.Delivery);
/** A message that may wake the recipient's devices (PUSH stream); the push service decides per device. */
export const PushRequestEvent = eventType('concord.events.v1.PushRequest', v1.PushRequest);

/** A gateway's XEP-0313 query (or catch-up page) of a session's own archive; the archive answers. */
export const ArchiveQueryRpc = rpc('archive-query', (n) => n.subjects.archiveQuery(), v1.ArchiveQueryRequest, v1.ArchiveQueryResponse);
/** A session's roster IQ; the presence service answers. */
export const RosterQueryRpc = rpc('roster-query', (n) => n.subjects.rosterQuery(), v1.RosterQueryRequest, v1.RosterQueryResponse);
/** A session's XEP-0357 IQ, a login's due notices, or a status probe; the push service answers. */
export const PushSettingsRpc = rpc('push-settings', (n) => n.subjects.pushSettings(), v1.PushSettingsRequest, v1.PushSettingsResponse);

export const CommitOutcome = v1.Commit_Outcome;
export type InboundStanza = concord.events.v1.InboundStanza;

/**
 * The stream sequence of the unavailable presence a gateway publishes when a session that used
 * presence or the roster ends without one (RFC 6121 §4.5.2): no client stanza has it, so the
 * presence service tells the end of a session from a client's own unavailable by it.
 */
export const SESSION_END_SEQ = 0;

export function isSessionEnd(inbound: Pick<InboundStanza, 'streamSeq'>): boolean {
  return inbound.streamSeq === SESSION_END_SEQ;
}
export type HistoryEvent = concord.events.v1.HistoryEvent;
export type Commit = concord.events.v1.Commit;
export type PushRequest = concord.events.v1.PushRequest;

/**
 * Reports a stanza's final outcome to the gateway node that accepted it. `msgId` names the
 * outcome so that a replayed report is stored once.
 */
export async function publishCommit(bus: Bus, gatewayNode: string, commit: Commit, msgId: string): Promise<void> {
  await publishEvent(bus.publisher, bus.names.subjects.commit(gatewayNode), CommitEvent, commit, { msgId });
}

/**
 * Publishes a lifecycle event on the owner's history partition, like any message copy, so that
 * the archive applies it in order and a rebuild from the stream replays it. Returns its position
 * (the stream sequence; a re-publish within the duplicate window gets the first one's).
 */
export async function publishLifecycle(bus: Bus, owner: string, fields: Partial<HistoryEvent>, msgId: string): Promise<number> {
  const ack = await publishEvent(bus.publisher, bus.names.subjects.history(partitionOf(owner, bus.names.partitions)), HistoryEventType,
    v1.HistoryEvent.fromPartial({ owner, timestampMs: Date.now(), ...fields }), { msgId, account: owner });
  return ack.seq;
}

/** The whole archive of `owner` goes: everything before this event in its history. Returns its position. */
export function publishArchiveDeletion(bus: Bus, owner: string): Promise<number> {
  return publishLifecycle(bus, owner, { kind: v1.HistoryEvent_Kind.KIND_DELETE_ARCHIVE }, `h:${owner}:delete:${randomUUID()}`);
}
