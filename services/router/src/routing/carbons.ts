/**
 * XEP-0280 Message Carbons for legacy sessions (DESIGN §3.1, §7): the sender's other legacy
 * sessions that enabled carbons get a `<sent/>` copy of what it sent. The rule set's reflection
 * verdict says whether anything may be copied at all (`<private/>`, `<no-copy/>`, errors,
 * headlines, full-JID ephemeral messages); this module adds which messages XEP-0280 copies.
 *
 * No `<received/>` copies: XEP-0280 §6 sends them to carbons-enabled sessions "that did not
 * receive it under the RFC 6121 delivery rules", and under DESIGN §3.1 every session of the
 * recipient already receives every message that is not a full-JID ephemeral one (which is
 * never copied). A legacy full-JID message is routed as bare, so all sessions get it plainly.
 */
import { parseJid } from '@concord/jid';
import type { SessionRecord } from '@concord/registry';
import type { Element } from '@concord/xml';
import { carbonCopy } from '@concord/xmpp';
import { deliver } from '../producers/deliveries';
import { verdict, type Decision, type StanzaFacts, type Verdict } from '../rules';
import type { InboundStanza, RouteContext } from './route-context';

/**
 * XEP-0280 §6 ("messages eligible for carbons delivery", its suggested rules): chat messages,
 * and normal ones with a body or an instant-messaging payload (receipt, chat marker, chat state);
 * never what the reflection verdict keeps to the sender.
 */
export function carbonEligible(f: StanzaFacts, d: Pick<Decision, 'reflection'>): Verdict<boolean> {
  if (d.reflection === 'none') return verdict(false, 'the rule set reflects nothing of it (DESIGN §3.1)');
  if (f.type === 'chat') return verdict(true, 'chat message (XEP-0280 §6)');
  if (f.type === 'normal' && f.payload !== 'other') return verdict(true, 'normal message with a body or an IM payload (XEP-0280 §6)');
  return verdict(false, `${f.type} message without an IM payload is not copied (XEP-0280 §6)`);
}

/** The sender's other legacy sessions that enabled carbons. */
export function carbonTargets(senderSessions: readonly SessionRecord[], senderFullJid: string): SessionRecord[] {
  return senderSessions.filter((s) => s.carbons && !s.imNg && s.fullJid !== senderFullJid);
}

/**
 * Sends `<sent/>` carbons of `copy` (the archived version for a persistent message, so that it
 * carries the sender archive's stanza-id; the message itself otherwise). Never urgent: the
 * account's own words wake none of its devices. `senderSessions` when already listed.
 */
export async function sendCarbons(ctx: RouteContext, d: Decision, inbound: InboundStanza, copy: Element, senderSessions?: readonly SessionRecord[]): Promise<void> {
  if (!carbonEligible(d.facts, d).verdict) return;
  const account = parseJid(inbound.from).bare().toString();
  const targets = carbonTargets(senderSessions ?? await ctx.sessions.ofAccount(account), inbound.from);
  // One stanza per session: each copy is addressed to the full JID that receives it (XEP-0280 §8).
  for (const s of targets) deliver(ctx.bus, s.gatewayNode, [s.fullJid], carbonCopy('sent', account, s.fullJid, copy), { urgent: false });
}
