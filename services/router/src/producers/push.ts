import { publishEvent } from '@concord/bus';
import { PushRequestEvent, type PushRequest } from '@concord/events';
import { tryParseJid } from '@concord/jid';
import { concord } from '@concord/proto';
import type { Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { Decision } from '../rules';
import type { InboundStanza, RouteContext } from '../routing/route-context';

/**
 * Whether the push service hears of a message at all: urgent ones (DESIGN §3.2), and groupchat
 * messages with a body, whose urgency depends on mentions and the recipient's preferences.
 * Receipts, markers, chat states and headlines never wake a device.
 */
export function pushCandidate(d: Decision): boolean {
  if (d.urgency === 'urgent') return true;
  return d.facts.type === 'groupchat' && d.facts.payload === 'body';
}

/** A XEP-0372 mention of the account: `<reference type='mention' uri='xmpp:ACCOUNT'/>` (a full JID of it counts too). */
export function mentionsAccount(stanza: Element, account: string): boolean {
  return stanza.getChildren('reference', NS.reference).some((r) => {
    const uri = r.attrs['uri'];
    if (r.attrs['type'] !== 'mention' || !uri?.startsWith('xmpp:')) return false;
    let path: string;
    try {
      path = decodeURIComponent(uri.slice('xmpp:'.length).split('?')[0]!);
    } catch {
      return false;
    }
    return tryParseJid(path)?.bare().toString() === account;
  });
}

/** The push request for the recipient's copy of a routed message, or undefined when it wakes nobody. */
export function pushRequestFor(d: Decision, stanza: Element, recipient: string, archiveId: string, inbound: InboundStanza): PushRequest | undefined {
  if (!pushCandidate(d)) return undefined;
  return concord.events.v1.PushRequest.fromPartial({
    account: recipient,
    archiveId,
    from: inbound.from,
    body: stanza.getChildText('body', stanza.xmlns ?? NS.client) ?? '',
    timestampMs: inbound.receivedAtMs,
    conversation: tryParseJid(inbound.from)?.bare().toString() ?? inbound.from,
    groupchat: d.facts.type === 'groupchat',
    mentionsAccount: mentionsAccount(stanza, recipient),
    urgent: d.urgency === 'urgent',
    urgencyHint: d.facts.urgencyHint ?? '',
  });
}

/**
 * Asks the push service to wake the recipient's devices (PUSH stream), unless the account has
 * no push registrations. Published before the live deliveries, and de-duplicated by message
 * ID, so a retried routing publishes it once.
 */
export async function publishPush(ctx: RouteContext, d: Decision, stanza: Element, recipient: string, archiveId: string, inbound: InboundStanza): Promise<void> {
  if (!ctx.pushAccounts.mayPush(recipient)) return;
  const request = pushRequestFor(d, stanza, recipient, archiveId, inbound);
  if (!request) return;
  await publishEvent(ctx.bus.publisher, ctx.bus.names.subjects.push('request'), PushRequestEvent, request, { msgId: `push:${recipient}:${archiveId}`, account: recipient });
}
