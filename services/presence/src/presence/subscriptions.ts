import { el, serialize, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { PresenceContext } from '../context';
import { deliverTo } from '../producers/deliveries';
import { pushChange } from '../roster/pushes';
import { hidePresence, showPresence } from './exchange';
import { inbound, outbound, type SubscriptionType } from './subscription-rules';
import { availableSessions } from './targets';

/** A subscription stanza as the server sends it: from and to are bare JIDs (RFC 6121 §3.1.2). */
export function subscriptionStanza(type: SubscriptionType, from: string, to: string, original?: Element): Element {
  const s = original ? original.clone() : el('presence', { xmlns: NS.client });
  s.attrs['type'] = type;
  s.attrs['from'] = from;
  s.attrs['to'] = to;
  return s;
}

/**
 * `user` sends `type` to `contact`: the user's own roster first (RFC 6121 A.2), then, when the
 * stanza goes on, the contact's side (both accounts are local: there is no server-to-server).
 */
export async function userSends(ctx: PresenceContext, type: SubscriptionType, user: string, contact: string, original?: Element): Promise<void> {
  const change = await ctx.rosters.update(user, contact, (cur) => outbound(type, cur, contact).entry);
  await pushChange(ctx, user, change);
  if (!outbound(type, change.before, contact).route) return;
  await contactReceives(ctx, type, user, contact, subscriptionStanza(type, user, contact, original));
}

/**
 * `sender`'s `type` arrives at `receiver` (RFC 6121 A.3): the receiver's roster, the stanza shown
 * to the receiver's available sessions (a request stays stored until answered and is shown again
 * at each login), and the presence that the new state lets through or stops.
 */
export async function contactReceives(ctx: PresenceContext, type: SubscriptionType, sender: string, receiver: string, stanza: Element): Promise<void> {
  if (!(await ctx.accounts.get(receiver))) {
    // No such account: a request is answered unsubscribed on its behalf (RFC 6121 §3.1.3).
    if (type === 'subscribe') await contactReceives(ctx, 'unsubscribed', receiver, sender, subscriptionStanza('unsubscribed', receiver, sender));
    return;
  }
  const request = type === 'subscribe' ? serialize(stanza) : '';
  const change = await ctx.rosters.update(receiver, sender, (cur) => inbound(type, cur, sender, request).entry);
  const verdict = inbound(type, change.before, sender, request);
  await pushChange(ctx, receiver, change);
  if (verdict.autoReply) {
    await contactReceives(ctx, 'subscribed', receiver, sender, subscriptionStanza('subscribed', receiver, sender));
    return;
  }
  if (!verdict.deliver) return;
  const sessions = await availableSessions(ctx, receiver);
  if (sessions.length > 0) deliverTo(ctx.bus, sessions, stanza, { urgent: false });
  // Presence follows the subscription: the approver shows itself to its new subscriber; a
  // cancelled or withdrawn subscription sees the other side go unavailable.
  if (type === 'subscribed') await showPresence(ctx, sender, receiver);
  else if (type === 'unsubscribed') await hidePresence(ctx, sender, receiver);
  else if (type === 'unsubscribe') await hidePresence(ctx, receiver, sender);
}
