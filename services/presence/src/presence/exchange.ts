import { parseElement, type Element } from '@concord/xml';
import { el } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { PresenceContext } from '../context';
import { deliverTo, type Target } from '../producers/deliveries';
import { availableSessions, type SessionTarget } from './targets';

/** A stored or received presence, addressed to `to` (a bare JID for broadcasts, a full JID for probe answers). */
export function addressed(presence: Element | string, to: string): Element {
  const p = typeof presence === 'string' ? parseElement(presence, undefined, NS.client) : presence.clone();
  p.attrs['to'] = to;
  return p;
}

export function unavailable(from: string, to: string): Element {
  return el('presence', { xmlns: NS.client, type: 'unavailable', from, to });
}

/** Each available session's last presence, sent to `targets` (answers to probes, RFC 6121 §4.3.2). */
export function sendPresences(ctx: PresenceContext, of: readonly SessionTarget[], targets: readonly Target[], to: string): void {
  if (targets.length === 0) return;
  for (const s of of) if (s.presence.presenceXml) deliverTo(ctx.bus, targets, addressed(s.presence.presenceXml, to), { urgent: false });
}

/** `from`'s available sessions show themselves to `to`'s available sessions (a subscription was just approved). */
export async function showPresence(ctx: PresenceContext, from: string, to: string): Promise<void> {
  const [senders, receivers] = await Promise.all([availableSessions(ctx, from), availableSessions(ctx, to)]);
  sendPresences(ctx, senders, receivers, to);
}

/** `from`'s available sessions go unavailable for `to` (a subscription ended, RFC 6121 §3.2.2, §3.3.3). */
export async function hidePresence(ctx: PresenceContext, from: string, to: string): Promise<void> {
  const [senders, receivers] = await Promise.all([availableSessions(ctx, from), availableSessions(ctx, to)]);
  if (receivers.length === 0) return;
  for (const s of senders) deliverTo(ctx.bus, receivers, unavailable(s.fullJid, to), { urgent: false });
}
