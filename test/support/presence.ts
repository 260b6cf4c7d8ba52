/** Presence and roster steps for tests that read like a play (RFC 6121 on real clients). */
import { parseElement, type Element } from '@concord/xml';
import type { ClientDriver, DriverEvent } from './driver';

const ROSTER = 'jabber:iq:roster';

function parse(e: DriverEvent): Element | undefined {
  if (e.event !== 'element' || !e.xml) return undefined;
  try {
    return parseElement(e.xml, undefined, 'jabber:client');
  } catch {
    return undefined;
  }
}

/** Every stanza a client received so far, parsed, oldest first (from `since`, an index into its events). */
export function received(d: ClientDriver, since = 0): Element[] {
  return d.events.slice(since).map(parse).filter((e): e is Element => e !== undefined);
}

/** The first stanza (received already or later; from event `since` on) that matches. */
export async function receives(d: ClientDriver, match: (s: Element) => boolean, what: string, since = 0, timeoutMs = 10_000): Promise<Element> {
  const e = await d.waitFor((ev) => {
    if (since > 0 && d.events.indexOf(ev) < since) return false;
    const s = parse(ev);
    return s !== undefined && match(s);
  }, timeoutMs, what);
  return parse(e)!;
}

const bareOf = (jid: string | undefined) => (jid ?? '').split('/')[0];

/** A presence stanza from `from` (a bare JID matches any of its resources) of `type` (undefined: available). */
export function presenceFrom(from: string, type?: string, after?: (s: Element) => boolean) {
  return (s: Element) => s.name === 'presence' && (s.attrs['from'] === from || bareOf(s.attrs['from']) === from)
    && s.attrs['type'] === type && (after ? after(s) : true);
}

/** A roster push naming `contact`, optionally checking the item. */
export function rosterPush(contact: string, item: (i: Element) => boolean = () => true) {
  return (s: Element) => {
    const i = s.name === 'iq' && s.attrs['type'] === 'set' ? s.getChild('query', ROSTER)?.getChild('item', ROSTER) : undefined;
    return i !== undefined && i.attrs['jid'] === contact && item(i);
  };
}

export async function sendPresence(d: ClientDriver, attrs = '', children = ''): Promise<void> {
  await d.ok('send', { xml: `<presence ${attrs}>${children}</presence>` });
}

/** A roster get (RFC 6121 §2.2); `ver` asks for versioning (XEP-0237). Returns the result IQ. */
export async function getRoster(d: ClientDriver, ver?: string): Promise<Element> {
  const r = await d.ok<{ xml: string }>('iq', { xml: `<iq type='get'><query xmlns='${ROSTER}'${ver !== undefined ? ` ver='${ver}'` : ''}/></iq>` });
  return parseElement(r.xml, undefined, 'jabber:client');
}

export async function setRosterItem(d: ClientDriver, contact: string, opts: { name?: string; groups?: string[]; remove?: boolean } = {}): Promise<void> {
  const attrs = `jid='${contact}'${opts.name ? ` name='${opts.name}'` : ''}${opts.remove ? ` subscription='remove'` : ''}`;
  const groups = (opts.groups ?? []).map((g) => `<group>${g}</group>`).join('');
  await d.ok('iq', { xml: `<iq type='set'><query xmlns='${ROSTER}'><item ${attrs}>${groups}</item></query></iq>` });
}

export function rosterItems(result: Element): Element[] {
  return result.getChild('query', ROSTER)?.getChildren('item', ROSTER) ?? [];
}

/**
 * Two online accounts become mutual contacts the way clients do it: each asks, the other
 * approves; resolves when both see each other's presence.
 */
export async function befriend(a: { d: ClientDriver; jid: string }, b: { d: ClientDriver; jid: string }): Promise<void> {
  for (const [asker, approver] of [[a, b], [b, a]] as const) {
    await sendPresence(asker.d, `to='${approver.jid}' type='subscribe'`);
    await receives(approver.d, presenceFrom(asker.jid, 'subscribe'), `${asker.jid}'s subscription request`);
    await sendPresence(approver.d, `to='${asker.jid}' type='subscribed'`);
    await receives(asker.d, presenceFrom(approver.jid, 'subscribed'), `${approver.jid}'s approval`);
    await receives(asker.d, presenceFrom(approver.jid), `${approver.jid}'s presence`);
  }
}
