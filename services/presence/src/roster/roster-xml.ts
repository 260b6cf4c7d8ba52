import { randomBytes } from 'node:crypto';
import type { RosterEntry } from '@concord/storage';
import { el, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';

/** `<item/>` as a client sees it (RFC 6121 §2.1.2); a removal tombstone is subscription='remove'. */
export function itemElement(e: RosterEntry): Element {
  if (!e.listed) return el('item', { jid: e.contact, subscription: 'remove' });
  return el('item', {
    jid: e.contact,
    ...(e.name ? { name: e.name } : {}),
    subscription: e.subscription,
    ...(e.ask ? { ask: 'subscribe' } : {}),
  }, ...e.groups.map((g) => el('group', {}, g)));
}

/** A roster push (RFC 6121 §2.1.6) to one session, with the item's version when versioning (XEP-0237). */
export function rosterPush(to: string, e: RosterEntry, ver: number | undefined): Element {
  return el('iq', { type: 'set', id: `push-${randomBytes(6).toString('base64url')}`, to },
    el('query', { xmlns: NS.roster, ...(ver !== undefined ? { ver: String(ver) } : {}) }, itemElement(e)));
}

export function iqResult(iq: Element, ...children: Element[]): Element {
  return el('iq', { type: 'result', id: iq.attrs['id'], to: iq.attrs['from'] }, ...children);
}
