import { partitionOf, publishEvent, backoffMs, sleep } from '@concord/bus';
import { HistoryEventType } from '@concord/events';
import { parseJid, type Jid } from '@concord/jid';
import { concord } from '@concord/proto';
import { annotateActiveSpan, countOnActiveSpan } from '@concord/telemetry';
import { el, serialize, type Element } from '@concord/xml';
import { errorReply, NS, predictedArchiveId } from '@concord/xmpp';
import { DecisionAttr, traceDecision } from '../metrics';
import { deliver } from '../producers/deliveries';
import { publishPush } from '../producers/push';
import { decide, type Decision } from '../rules';
import { sendCarbons } from './carbons';
import type { InboundStanza, Outcome, RouteContext } from './route-context';

/** Sends one stanza to a set of sessions (full JIDs with their gateway nodes). */
function fanOut(ctx: RouteContext, sessions: { fullJid: string; gatewayNode: string }[], stanza: Element, urgent: boolean): void {
  const byNode = new Map<string, string[]>();
  for (const s of sessions) byNode.set(s.gatewayNode, [...(byNode.get(s.gatewayNode) ?? []), s.fullJid]);
  countOnActiveSpan(DecisionAttr.recipients, sessions.length);
  for (const [node, jids] of byNode) deliver(ctx.bus, node, jids, stanza, { urgent });
}

function withStanzaId(stanza: Element, by: string, id: string): Element {
  const copy = stanza.clone();
  copy.append(el('stanza-id', { xmlns: NS.sid, by, id }));
  return copy;
}

/** Longest a re-send waits for its first copy to be archived before the event is retried. */
const RESEND_WAIT_MS = 10_000;

/** Resolves once both copies are archived (the ack's promise), or throws after RESEND_WAIT_MS. */
async function archivedSoon(ctx: RouteContext, ids: Map<string, string>): Promise<void> {
  const deadline = Date.now() + RESEND_WAIT_MS;
  for (let attempt = 1; (await ctx.archive.idsInUse([...ids.keys()], [...ids.values()])).size < ids.size; attempt++) {
    if (Date.now() > deadline) throw new Error(`the first copy of ${[...ids.values()].join(', ')} is not archived yet`);
    await sleep(backoffMs({ firstMs: 10, maxMs: 250 }, attempt));
  }
}

/** XEP-0359 origin-id, else the stanza's id: the client's name for its message (DESIGN §7). */
function originIdOf(stanza: Element, fallback: string): string {
  return stanza.getChild('origin-id', NS.sid)?.attrs['id'] ?? stanza.attrs['id'] ?? fallback;
}

/**
 * Applies the rule set's verdicts to one message (DESIGN §3, §4): ephemeral messages are
 * delivered live; persistent ones become one history event per account (the recipient's first,
 * so that the sender's ack means both rows are committed) and live deliveries carrying the
 * archive IDs.
 */
export async function routeMessage(ctx: RouteContext, inbound: InboundStanza, stanza: Element, redelivered: boolean): Promise<Outcome> {
  const d: Decision = decide(stanza, { imNg: inbound.imNg });
  return traceDecision(d, inbound, () => applyDecision(ctx, inbound, stanza, d, redelivered));
}

/**
 * `redelivered`: this stanza was handed to a router before (one that died or stalled), which may
 * have archived it without delivering it. Its live copies go out again: gateways drop a copy a
 * session was already given (by its stanza-id), so nothing depends on what the dead router did.
 */
async function applyDecision(ctx: RouteContext, inbound: InboundStanza, stanza: Element, d: Decision, redelivered: boolean): Promise<Outcome> {
  const sender = parseJid(inbound.from);
  const senderAccount = sender.bare();
  const to: Jid = d.facts.to ?? senderAccount;
  const message = stanza.clone();
  if (d.addMarker && !message.getChild('im-ng', NS.imNg)) message.append(el('im-ng', { xmlns: NS.imNg }));
  const urgent = d.urgency === 'urgent';

  if (d.persistence === 'ephemeral-session') {
    const target = await ctx.registry.get(to.toString());
    if (target) fanOut(ctx, [target], message, urgent);
    // Same answer as for an account that does not exist, so resources cannot be probed (§3.1).
    else if (d.facts.type !== 'error') deliver(ctx.bus, inbound.gatewayNode, [inbound.from], errorReply(message, 'service-unavailable'), { urgent: true });
    return 'routed';
  }
  if (d.persistence === 'ephemeral-all' || d.persistence === 'not-message') {
    let sessions = await ctx.sessions.ofAccount(to.bare().toString());
    // An error answering a persistent message reaches the 2.0 sessions (and the addressed one).
    if (d.facts.type === 'error') sessions = sessions.filter((s) => s.imNg || s.fullJid === to.toString());
    fanOut(ctx, sessions, message, urgent);
    // Not archived, so no archived copy: only legacy sessions that enabled carbons see it (XEP-0280).
    if (d.reflection === 'carbons-if-enabled' && !to.bare().equals(senderAccount)) await sendCarbons(ctx, d, inbound, message);
    return 'routed';
  }

  const recipient = to.bare().toString();
  const account = senderAccount.toString();
  const originId = originIdOf(message, inbound.id);
  const senderId = predictedArchiveId(account, inbound.clientId, originId);
  annotateActiveSpan({ [DecisionAttr.originId]: originId, [DecisionAttr.archiveId]: senderId });
  // The recipient's ID is the server's, but derived deterministically so a replay writes the same row.
  const recipientId = predictedArchiveId(recipient, `${account}\n${inbound.clientId}`, originId);
  // Read before the lookup: what the archive had applied when the IDs were found unused.
  const appliedThroughMs = ctx.appliedThrough.ms;
  const copies = new Map([[recipient, recipientId], [account, senderId]]);
  const inUse = await ctx.idCheck.inUse(copies);
  const key = (owner: string, id: string) => `${owner}\n${id}`;
  // A re-send of a message already archived (same client, same origin-id, any stream) is the
  // same message: not archived or delivered again, only acked again (DESIGN §3.3). Both copies
  // are checked: the sender's row is written before the recipient's is known to be.
  const archived = inUse !== undefined && inUse.has(key(account, senderId)) && inUse.has(key(recipient, recipientId));
  if (archived && !redelivered) return 'already-archived';
  let outcome: Outcome = archived ? 'already-archived' : 'archive-commits';
  const senderCopy = withStanzaId(message, account, senderId);
  const recipientCopy = withStanzaId(message, recipient, recipientId);
  if (!archived) {
    // A copy whose ID was not seen unused (in use, or not checked) carries no proof: the archive reads its ID index.
    const proof = (owner: string, id: string) => (inUse && !inUse.has(key(owner, id)) ? appliedThroughMs : 0);
    const history = (owner: string, archiveId: string, copy: Element, outgoing: boolean, reply: boolean, dependsOnPosition = 0) =>
      publishEvent(ctx.bus.publisher, ctx.bus.names.subjects.history(partitionOf(owner, ctx.bus.names.partitions)), HistoryEventType,
        concord.events.v1.HistoryEvent.fromPartial({
          owner, archiveId, with: outgoing ? recipient : account, outgoing, xml: serialize(copy), originId,
          inboundId: inbound.id, timestampMs: inbound.receivedAtMs, dependsOnPosition, appliedThroughMs: proof(owner, archiveId),
          ...(reply ? { replyGatewayNode: inbound.gatewayNode, replyStreamId: inbound.streamId, replyStreamSeq: inbound.streamSeq } : {}),
        }), { msgId: `h:${owner}:${archiveId}`, account: owner });
    // The sender's copy names the recipient's: its commit (the sender's ack) waits for both rows.
    const recipientEvent = recipient !== account ? await history(recipient, recipientId, recipientCopy, false, false) : undefined;
    const senderEvent = await history(account, senderId, senderCopy, true, true, recipientEvent?.seq ?? 0);
    if (senderEvent.duplicate) {
      // The same message is already on its way (this stanza routed before by a router that
      // stopped, or a re-send racing its first copy): ack once it is archived.
      await archivedSoon(ctx, copies);
      if (!redelivered) return 'already-archived';
      outcome = 'already-archived';
    }
  }

  if (recipient === account) {
    // A note to self has one archived copy: the account's other sessions get that one.
    const own = await ctx.sessions.ofAccount(account);
    fanOut(ctx, own.filter((s) => s.fullJid !== inbound.from), senderCopy, urgent);
    return outcome;
  }
  await publishPush(ctx, d, message, recipient, recipientId, inbound);
  const [recipientSessions, senderSessions] = await Promise.all([ctx.sessions.ofAccount(recipient), ctx.sessions.ofAccount(account)]);
  fanOut(ctx, recipientSessions, recipientCopy, urgent);
  if (d.reflection !== 'none') {
    // The sender's other 2.0 sessions get the archived copy, its legacy ones XEP-0280 carbons of it.
    fanOut(ctx, senderSessions.filter((s) => s.imNg && s.fullJid !== inbound.from), senderCopy, false);
    await sendCarbons(ctx, d, inbound, senderCopy, senderSessions);
  }
  return outcome;
}
