import { parseJid } from '@concord/jid';
import type { PresenceSessionRecord } from '@concord/registry';
import { serialize, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { PresenceContext } from '../context';
import { deliverTo, type Target } from '../producers/deliveries';
import { addressed, sendPresences, unavailable } from './exchange';
import { hasFrom, hasTo } from './subscription-rules';
import { availableSessions, forEachLimited } from './targets';

/** Contacts' sessions are looked up this many at a time. */
const FAN_OUT = 16;

/** The session a presence came from: its full JID, account and the gateway node holding it. */
export interface Origin {
  fullJid: string;
  account: string;
  gatewayNode: string;
  streamId: string;
}

export function blankRecord(fullJid: string, streamId: string): PresenceSessionRecord {
  return { fullJid, streamId, available: false, presenceXml: '', priority: 0, directedTo: [], rosterRequested: false, updatedAtMs: 0 };
}

/** RFC 6121 §4.7.2.3: an integer from -128 to +127, 0 when absent or unusable. */
function priorityOf(p: Element): number {
  const n = Number(p.getChildText('priority', NS.client) ?? '0');
  return Number.isInteger(n) && n >= -128 && n <= 127 ? n : 0;
}

/**
 * Available presence from a session (RFC 6121 §4.2, §4.4): recorded, broadcast to the contacts
 * subscribed to the account and to the account's available sessions (the sender included).
 * The first one of a session (initial presence) also probes the contacts the account is
 * subscribed to, shows the account's other sessions, and delivers pending subscription requests.
 */
export async function goAvailable(ctx: PresenceContext, origin: Origin, stanza: Element): Promise<void> {
  const stored = stanza.clone();
  delete stored.attrs['to'];
  const { before } = await ctx.presences.modify(origin.fullJid, (cur) => ({
    ...(cur ?? blankRecord(origin.fullJid, origin.streamId)),
    streamId: origin.streamId,
    available: true,
    presenceXml: serialize(stored),
    priority: priorityOf(stanza),
  }));
  const initial = !before?.available || before.streamId !== origin.streamId;
  const roster = await ctx.rosters.load(origin.account);
  const listed = roster.entries.filter((e) => e.listed);
  const self: Target = { fullJid: origin.fullJid, gatewayNode: origin.gatewayNode };

  await forEachLimited(listed.filter((e) => hasFrom(e.subscription)), FAN_OUT, async (e) => {
    const sessions = await availableSessions(ctx, e.contact);
    if (sessions.length > 0) deliverTo(ctx.bus, sessions, addressed(stored, e.contact), { urgent: false });
  });
  const own = await availableSessions(ctx, origin.account);
  const others = own.filter((s) => s.fullJid !== origin.fullJid);
  deliverTo(ctx.bus, [...others, self], addressed(stored, origin.account), { urgent: false });
  if (!initial) return;

  // Probes, answered here since every account is local (RFC 6121 §4.3).
  await forEachLimited(listed.filter((e) => hasTo(e.subscription)), FAN_OUT, async (e) => {
    sendPresences(ctx, await availableSessions(ctx, e.contact), [self], origin.fullJid);
  });
  sendPresences(ctx, others, [self], origin.fullJid);
  // Requests that arrived while the account was away (RFC 6121 §3.1.3).
  for (const e of roster.entries) if (e.pendingIn) deliverTo(ctx.bus, [self], addressed(e.pendingIn, origin.account), { urgent: false });
}

/**
 * Unavailable presence from a session (RFC 6121 §4.5), or its end without one (`ended`: the
 * stream closed or its gateway died): broadcast like available presence, and sent to every
 * entity that got directed presence from the session (§4.6.3). An ended session's record goes.
 */
export async function goUnavailable(ctx: PresenceContext, origin: Origin, stanza: Element, ended: boolean): Promise<void> {
  let newer = false;
  const { before } = await ctx.presences.modify(origin.fullJid, (cur) => {
    // The end of an older stream of this full JID must not end the session that replaced it.
    newer = ended && cur !== undefined && cur.streamId !== origin.streamId;
    if (!cur || newer) return undefined;
    if (ended) return null;
    return { ...cur, available: false, presenceXml: '', directedTo: [] };
  });
  if (before?.available && !newer) await broadcastUnavailable(ctx, origin, stanza, before.directedTo);
}

export async function broadcastUnavailable(ctx: PresenceContext, origin: Omit<Origin, 'gatewayNode' | 'streamId'>, stanza: Element, directedTo: readonly string[]): Promise<void> {
  const out = stanza.clone();
  delete out.attrs['to'];
  out.attrs['from'] = origin.fullJid;
  const roster = await ctx.rosters.load(origin.account);
  await forEachLimited(roster.entries.filter((e) => e.listed && hasFrom(e.subscription)), FAN_OUT, async (e) => {
    const sessions = await availableSessions(ctx, e.contact);
    if (sessions.length > 0) deliverTo(ctx.bus, sessions, addressed(out, e.contact), { urgent: false });
  });
  const own = (await availableSessions(ctx, origin.account)).filter((s) => s.fullJid !== origin.fullJid);
  if (own.length > 0) deliverTo(ctx.bus, own, addressed(out, origin.account), { urgent: false });
  await forEachLimited(directedTo, FAN_OUT, async (to) => {
    const targets = await directedTargets(ctx, to);
    if (targets.length > 0) deliverTo(ctx.bus, targets, unavailable(origin.fullJid, to), { urgent: false });
  });
}

/** Where presence directed to `to` goes: a bare JID's available sessions, or that one available session. */
export async function directedTargets(ctx: PresenceContext, to: string): Promise<Target[]> {
  const jid = parseJid(to);
  const sessions = await availableSessions(ctx, jid.bare().toString());
  return jid.isBare ? sessions : sessions.filter((s) => s.fullJid === to);
}
