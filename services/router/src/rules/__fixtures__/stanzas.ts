/**
 * Shared fixtures of the rule tests: the actors and stanza parts, written as XML the way
 * clients send it. alice sends from alice.phone (a 2.0 session) or alice.laptop (legacy); bob
 * (with bob.desktop among his sessions) receives.
 */
import { parseElement, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { extractFacts, type StanzaFacts } from '../facts';

export const ACTORS = {
  'alice.phone (2.0)': { jid: 'alice@example.com/phone', imNg: true },
  'alice.laptop (legacy)': { jid: 'alice@example.com/laptop', imNg: false },
} as const;
export type Sender = keyof typeof ACTORS;
export const V2: Sender = 'alice.phone (2.0)';
export const LEGACY: Sender = 'alice.laptop (legacy)';

/** A stanza as the router receives it: parsed, with `from` stamped by the gateway. */
export function stamped(xml: string, sender: Sender): Element {
  const stanza = parseElement(xml, undefined, NS.client);
  stanza.attrs['from'] = ACTORS[sender].jid;
  return stanza;
}

export function facts(xml: string, sender: Sender): StanzaFacts {
  return extractFacts(stamped(xml, sender), { imNg: ACTORS[sender].imNg });
}

export const BARE = "to='bob@example.com'";
export const FULL = "to='bob@example.com/desktop'";
export const BODY = '<body>Hi Bob</body>';
export const IM_NG = `<im-ng xmlns='${NS.imNg}'/>`;
export const hint = (name: string) => `<${name} xmlns='${NS.hints}'/>`;
export const PRIVATE = `<private xmlns='${NS.carbons}'/>`;
export const COMPOSING = `<composing xmlns='${NS.chatStates}'/>`;
export const RECEIVED = `<received xmlns='${NS.receipts}' id='m1'/>`;
export const DISPLAYED = `<displayed xmlns='${NS.markers}' id='m1'/>`;
export const ERROR = `<error type='cancel'><service-unavailable xmlns='${NS.stanzas}'/></error>`;
export const HIGH = `<urgency xmlns='${NS.concord}' level='high'/>`;
export const LOW = `<urgency xmlns='${NS.concord}' level='low'/>`;
