import { tryParseJid } from '@concord/jid';
import type { concord } from '@concord/proto';
import { emptyEntry, type RosterEntry } from '@concord/storage';
import { el, type Element } from '@concord/xml';
import { errorReply, NS } from '@concord/xmpp';
import type { PresenceContext } from '../context';
import { blankRecord } from '../presence/broadcast';
import { hasFrom, hasTo } from '../presence/subscription-rules';
import { contactReceives, subscriptionStanza } from '../presence/subscriptions';
import { pushChange } from './pushes';
import { iqResult, itemElement, rosterPush } from './roster-xml';

/** RFC 6121 §2.3.3 lets a server limit names and groups; these are generous. */
const MAX_TEXT = 1_023;
const MAX_GROUPS = 64;

type Request = concord.events.v1.RosterQueryRequest;

/**
 * A roster IQ from a session of `req.account` (RFC 6121 §2): get, set or remove. Returns what
 * to write to that session, in order. Other sessions learn of a change by roster pushes.
 */
export async function answerRosterIq(ctx: PresenceContext, req: Request, iq: Element): Promise<Element[]> {
  const query = iq.getChild('query', NS.roster)!;
  if (iq.attrs['type'] === 'get') return rosterGet(ctx, req, iq, query);
  if (iq.attrs['type'] === 'set') return [await rosterSet(ctx, req, iq, query)];
  return [];
}

/**
 * The roster, and from now on roster pushes for this session (it is "interested"). With a
 * version (XEP-0237): the same version answers an empty result; a known older one answers an
 * empty result followed by one push per entry changed since, removals included, oldest first.
 */
async function rosterGet(ctx: PresenceContext, req: Request, iq: Element, query: Element): Promise<Element[]> {
  await ctx.presences.modify(req.fullJid, (cur) => (cur?.rosterRequested ? undefined : { ...(cur ?? blankRecord(req.fullJid, req.streamId)), rosterRequested: true }));
  const roster = await ctx.rosters.load(req.account);
  const asked = query.attrs['ver'];
  if (asked === undefined) return [iqResult(iq, el('query', { xmlns: NS.roster }, ...listedItems(roster.entries)))];
  const known = /^\d{1,15}$/.test(asked) ? Number(asked) : undefined;
  if (known !== undefined && known <= roster.version && known > 0) {
    const changes = roster.entries.filter((e) => e.ver > known).sort((a, b) => a.ver - b.ver);
    return [iqResult(iq), ...changes.map((e) => rosterPush(req.fullJid, e, e.ver))];
  }
  return [iqResult(iq, el('query', { xmlns: NS.roster, ver: String(roster.version) }, ...listedItems(roster.entries)))];
}

function listedItems(entries: RosterEntry[]): Element[] {
  return entries.filter((e) => e.listed).sort((a, b) => a.contact.localeCompare(b.contact)).map(itemElement);
}

interface ItemRequest {
  contact: string;
  remove: boolean;
  name: string;
  groups: string[];
}

/** RFC 6121 §2.3.3 checks of a roster set; an error reply, or the item asked for. */
function readItem(iq: Element, query: Element, account: string): ItemRequest | Element {
  const items = query.getChildren('item', NS.roster);
  if (items.length !== 1) return errorReply(iq, 'bad-request', { text: 'a roster set carries exactly one item' });
  const item = items[0]!;
  const jid = tryParseJid(item.attrs['jid'] ?? '');
  if (!jid) return errorReply(iq, 'bad-request', { text: 'the item needs a valid jid' });
  const contact = jid.bare().toString();
  if (contact === account) return errorReply(iq, 'not-allowed', { text: 'your own account is not a contact' });
  const name = item.attrs['name'] ?? '';
  const groups = item.getChildren('group', NS.roster).map((g) => g.text());
  if (groups.some((g) => g === '')) return errorReply(iq, 'not-acceptable', { text: 'a group needs a name' });
  if (new Set(groups).size !== groups.length) return errorReply(iq, 'bad-request', { text: 'a group is named twice' });
  if (name.length > MAX_TEXT || groups.some((g) => g.length > MAX_TEXT) || groups.length > MAX_GROUPS) {
    return errorReply(iq, 'not-acceptable', { text: `names and groups are limited to ${MAX_TEXT} characters, ${MAX_GROUPS} groups` });
  }
  // Any other subscription value is the server's to set (§2.1.2.5): ignored, as is ask.
  return { contact, remove: item.attrs['subscription'] === 'remove', name, groups };
}

async function rosterSet(ctx: PresenceContext, req: Request, iq: Element, query: Element): Promise<Element> {
  const item = readItem(iq, query, req.account);
  if (!('contact' in item)) return item;
  if (item.remove) return rosterRemove(ctx, req, iq, item.contact);
  const change = await ctx.rosters.update(req.account, item.contact, (cur) => ({ ...(cur ?? emptyEntry(item.contact)), listed: true, name: item.name, groups: item.groups }));
  await pushChange(ctx, req.account, change);
  return iqResult(iq);
}

/**
 * Removing a contact (RFC 6121 §2.5.2) also ends both subscriptions: the contact's side is told
 * unsubscribed (if it was subscribed or asking) and unsubscribe (if the account was).
 */
async function rosterRemove(ctx: PresenceContext, req: Request, iq: Element, contact: string): Promise<Element> {
  const change = await ctx.rosters.update(req.account, contact, (cur) => (cur?.listed ? emptyEntry(contact) : undefined));
  const before = change.before;
  if (!before?.listed) return errorReply(iq, 'item-not-found');
  await pushChange(ctx, req.account, change);
  if (hasFrom(before.subscription) || before.pendingIn) {
    await contactReceives(ctx, 'unsubscribed', req.account, contact, subscriptionStanza('unsubscribed', req.account, contact));
  }
  if (hasTo(before.subscription) || before.ask) {
    await contactReceives(ctx, 'unsubscribe', req.account, contact, subscriptionStanza('unsubscribe', req.account, contact));
  }
  return iqResult(iq);
}
