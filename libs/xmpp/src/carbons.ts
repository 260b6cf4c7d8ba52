import { el, type Element } from '@concord/xml';
import { NS } from './ns';

/** XEP-0280 wrappers: `sent` for what the account sent from another session, `received` for what it got there. */
export type CarbonDirection = 'sent' | 'received';

/**
 * A XEP-0280 carbon copy of `inner` for one session (§7, §8): `from` is the account's bare JID
 * (the only sender a client may accept carbons from, §11), `to` the session, the type kept.
 * `delay` (XEP-0203) goes inside the XEP-0297 `<forwarded/>`, for copies sent later than live.
 */
export function carbonCopy(direction: CarbonDirection, account: string, session: string, inner: Element, delay?: Element): Element {
  const type = inner.attrs['type'];
  // XEP-0297: the forwarded stanza keeps jabber:client, not the <forwarded/> namespace around it.
  const message = inner.clone();
  message.attrs['xmlns'] = NS.client;
  return el('message', { xmlns: NS.client, from: account, to: session, ...(type ? { type } : {}) },
    el(direction, { xmlns: NS.carbons }, el('forwarded', { xmlns: NS.forward }, delay, message)));
}

/** The forwarded message of a carbon (`sent` or `received` in urn:xmpp:carbons:2), if `stanza` is one. */
export function carbonPayload(stanza: Element): Element | undefined {
  const wrapper = stanza.getChild('sent', NS.carbons) ?? stanza.getChild('received', NS.carbons);
  return wrapper?.getChild('forwarded', NS.forward)?.getChild('message', NS.client);
}
