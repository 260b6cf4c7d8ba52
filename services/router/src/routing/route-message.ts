import { partitionOf, publishEvent } from '@concord/bus';
import { HistoryEventType } from '@concord/events';
import { parseJid, type Jid } from '@concord/jid';
import { concord } from '@concord/proto';
import { el, serialize, type Element } from '@concord/xml';
import { errorReply, NS, predictedArchiveId } from '@concord/xmpp';
import { deliver } from '../producers/deliveries';
import { decide, type Decision } from '../rules';
import type { InboundStanza, Outcome, RouteContext } from './route-context';

/** Sends one stanza to a set of sessions (full JIDs with their gateway nodes). */
function fanOut(ctx: RouteContext, sessions: { fullJid: string; gatewayNode: string }[], stanza: Element, urgent: boolean): void {
  const byNode = new Map<string, string[]>();
  for (const s of sessions) byNode.set(s.gatewayNode, [...(byNode.get(s.gatewayNode) ?? []), s.fullJid]);
  for (const [node, jids] of byNode) deliver(ctx.bus, node, jids, stanza, { urgent });
}

function withStanzaId(stanza: Element, by: string, id: string): Element {
  const copy = stanza.clone();
  copy.append(el('stanza-id', { xmlns: NS.sid, by, id }));
  return copy;
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
export async function routeMessage(ctx: RouteContext, inbound: InboundStanza, stanza: Element): Promise<Outcome> {
  const d: Decision = decide(stanza, { imNg: inbound.imNg });
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
    let sessions = await ctx.registry.ofAccount(to.bare().toString());
    // An error answering a persistent message reaches the 2.0 sessions (and the addressed one).
    if (d.facts.type === 'error') sessions = sessions.filter((s) => s.imNg || s.fullJid === to.toString());
    fanOut(ctx, sessions, message, urgent);
    return 'routed';
  }

  const recipient = to.bare().toString();
  const account = senderAccount.toString();
  const originId = originIdOf(message, inbound.id);
  const senderId = predictedArchiveId(account, inbound.clientId, originId);
  // A re-send of a message already archived (same client, same origin-id, any stream) is the
  // same message: not archived or delivered again, only acked again (DESIGN §3.3).
  if (await ctx.archive.byId(account, senderId)) return 'already-archived';
  // The recipient's ID is the server's, but derived deterministically so a replay writes the same row.
  const recipientId = predictedArchiveId(recipient, `${account}\n${inbound.clientId}`, originId);
  const senderCopy = withStanzaId(message, account, senderId);
  const recipientCopy = withStanzaId(message, recipient, recipientId);
  const history = (owner: string, archiveId: string, copy: Element, outgoing: boolean, reply: boolean) =>
    publishEvent(ctx.bus.js, ctx.bus.names.subjects.history(partitionOf(owner, ctx.bus.names.partitions)), HistoryEventType,
      concord.events.v1.HistoryEvent.fromPartial({
        owner, archiveId, with: outgoing ? recipient : account, outgoing, xml: serialize(copy), originId,
        inboundId: inbound.id, timestampMs: inbound.receivedAtMs,
        ...(reply ? { replyGatewayNode: inbound.gatewayNode, replyStreamId: inbound.streamId, replyStreamSeq: inbound.streamSeq } : {}),
      }), { msgId: `h:${owner}:${archiveId}`, account: owner });
  if (recipient !== account) await history(recipient, recipientId, recipientCopy, false, false);
  await history(account, senderId, senderCopy, true, true);

  if (recipient === account) {
    // A note to self has one archived copy: the account's other sessions get that one.
    const own = await ctx.registry.ofAccount(account);
    fanOut(ctx, own.filter((s) => s.fullJid !== inbound.from), senderCopy, urgent);
    return 'archive-commits';
  }
  const [recipientSessions, senderSessions] = await Promise.all([ctx.registry.ofAccount(recipient), ctx.registry.ofAccount(account)]);
  fanOut(ctx, recipientSessions, recipientCopy, urgent);
  if (d.reflection !== 'none') {
    // The sender's other 2.0 sessions get the archived copy (legacy carbons are not offered yet).
    fanOut(ctx, senderSessions.filter((s) => s.imNg && s.fullJid !== inbound.from), senderCopy, false);
  }
  return 'archive-commits';
}
