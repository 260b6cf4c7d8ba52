/**
 * XEP-0280 Message Carbons at the edge: a session's enable/disable requests, and refusing
 * carbons that a client tries to send itself (only the server makes them, §11).
 */
import type { Element } from '@concord/xml';
import { NS, errorReply } from '@concord/xmpp';

/** What a carbons IQ asks for: the session's new state, or the error to answer with. */
export type CarbonsRequest = { enable: boolean } | { error: Element };

/**
 * A XEP-0280 §4/§5 request: an IQ whose one payload is `<enable/>` or `<disable/>` in
 * urn:xmpp:carbons:2, addressed to the server (no `to`, or the domain) or to the session's own
 * account (as some clients do). Undefined for anything else.
 */
export function carbonsRequest(iq: Element, ctx: { domain: string; account: string }): CarbonsRequest | undefined {
  if (iq.name !== 'iq' || !iq.attrs['id']) return undefined;
  const to = iq.attrs['to'];
  if (to !== undefined && to !== ctx.domain && to !== ctx.account) return undefined;
  const payloads = iq.elements();
  const payload = payloads.find((p) => p.attrs['xmlns'] === NS.carbons);
  if (!payload) return undefined;
  const type = iq.attrs['type'];
  if (type === 'result' || type === 'error') return undefined;
  if (type !== 'set' || payloads.length !== 1 || (payload.name !== 'enable' && payload.name !== 'disable')) {
    return { error: errorReply(iq, 'bad-request', { text: 'carbons are enabled and disabled with an IQ set of <enable/> or <disable/>' }) };
  }
  return { enable: payload.name === 'enable' };
}

/**
 * A client's message that carries a carbon wrapper (`<sent/>` or `<received/>`) would look to
 * a recipient like a copy made by the server. Errors are stripped of them (an error is never
 * answered with an error, RFC 6120 §8.3.1); anything else is refused with `<not-acceptable/>`.
 * Returns the error reply, or undefined when the message may go on (possibly stripped).
 */
export function refuseClientCarbons(message: Element, domain: string): Element | undefined {
  const wrappers = message.elements().filter((c) => c.attrs['xmlns'] === NS.carbons && (c.name === 'sent' || c.name === 'received'));
  if (wrappers.length === 0) return undefined;
  if (message.attrs['type'] === 'error') {
    for (const w of wrappers) message.remove(w);
    return undefined;
  }
  return errorReply(message, 'not-acceptable', { from: domain, text: 'carbon copies come only from the server (XEP-0280 §11)' });
}
