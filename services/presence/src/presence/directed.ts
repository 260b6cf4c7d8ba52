import type { Jid } from '@concord/jid';
import type { Element } from '@concord/xml';
import type { PresenceContext } from '../context';
import { deliverTo } from '../producers/deliveries';
import { directedTargets, type Origin } from './broadcast';
import { sendPresences } from './exchange';
import { hasFrom, hasTo } from './subscription-rules';
import { availableSessions } from './targets';

/**
 * Presence addressed to an entity (RFC 6121 §4.6): delivered to its available session(s). While
 * the session is available, entities that do not get its broadcasts are remembered, so that
 * they learn when it goes unavailable or ends (§4.6.3); unavailable directed to one forgets it.
 */
export async function directedPresence(ctx: PresenceContext, origin: Origin, stanza: Element, to: Jid): Promise<void> {
  const targets = await directedTargets(ctx, to.toString());
  if (targets.length > 0) deliverTo(ctx.bus, targets, stanza, { urgent: false });
  const contact = to.bare().toString();
  if (contact === origin.account) return;
  const entry = await ctx.rosters.entry(origin.account, contact);
  if (entry?.listed && hasFrom(entry.subscription)) return; // its broadcasts reach it already
  const target = to.toString();
  const goingAway = stanza.attrs['type'] === 'unavailable';
  await ctx.presences.modify(origin.fullJid, (cur) => {
    if (!cur?.available) return undefined;
    const rest = cur.directedTo.filter((t) => t !== target);
    return { ...cur, directedTo: goingAway ? rest : [...rest, target] };
  });
}

/** An error answering a presence goes to the session(s) it names, available or not. */
export async function presenceError(ctx: PresenceContext, stanza: Element, to: Jid): Promise<void> {
  const sessions = await ctx.registry.ofAccount(to.bare().toString());
  const targets = to.isBare ? sessions : sessions.filter((s) => s.fullJid === to.toString());
  if (targets.length > 0) deliverTo(ctx.bus, targets, stanza, { urgent: false });
}

/**
 * A client's own probe (RFC 6121 §4.3): answered with the current presence of the contact's
 * available sessions when the account is subscribed to it (or it is the account itself);
 * otherwise nothing is revealed.
 */
export async function clientProbe(ctx: PresenceContext, origin: Origin, to: Jid): Promise<void> {
  const target = to.bare().toString();
  if (target !== origin.account) {
    const entry = await ctx.rosters.entry(origin.account, target);
    if (!entry?.listed || !hasTo(entry.subscription)) return;
  }
  const sessions = (await availableSessions(ctx, target)).filter((s) => s.fullJid !== origin.fullJid && (to.isBare || s.fullJid === to.toString()));
  sendPresences(ctx, sessions, [{ fullJid: origin.fullJid, gatewayNode: origin.gatewayNode }], origin.fullJid);
}
