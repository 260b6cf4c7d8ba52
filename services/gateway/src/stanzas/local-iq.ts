import { el, type Element } from '@concord/xml';
import { NS, errorReply } from '@concord/xmpp';

export interface LocalIqContext {
  domain: string;
  /** Extra server features to list (e.g. registration when enabled). */
  serverFeatures: readonly string[];
}

type Handler = (iq: Element, payload: Element, ctx: LocalIqContext) => Element;

const result = (iq: Element, ...children: Element[]) =>
  el('iq', { type: 'result', id: iq.attrs['id'], from: iq.attrs['to'], to: iq.attrs['from'] }, ...children);

/** Features every Concord gateway supports, whatever the configuration. */
export const BASE_SERVER_FEATURES: readonly string[] = [NS.discoInfo, NS.discoItems, NS.ping, NS.sm, NS.csi, NS.sasl2, NS.bind2, NS.commands, NS.roster, NS.carbons];

/**
 * IQs the gateway answers itself, keyed by `type namespace` of their payload (RFC 6120 §8.2.3:
 * exactly one payload child for get and set).
 */
const HANDLERS: Record<string, Handler> = {
  [`get ${NS.ping}`]: (iq) => result(iq),
  // RFC 3921 legacy session establishment: a no-op that old clients still send.
  [`set ${NS.session}`]: (iq) => result(iq),
  [`get ${NS.discoInfo}`]: (iq, payload, ctx) => {
    if (payload.attrs['node']) return errorReply(iq, 'item-not-found');
    return result(iq, el('query', { xmlns: NS.discoInfo },
      el('identity', { category: 'server', type: 'im', name: 'Concord' }),
      ...[...new Set([...BASE_SERVER_FEATURES, ...ctx.serverFeatures, NS.discoInfo])].sort().map((v) => el('feature', { var: v }))));
  },
  [`get ${NS.discoItems}`]: (iq, payload) => (payload.attrs['node'] ? errorReply(iq, 'item-not-found') : result(iq, el('query', { xmlns: NS.discoItems }))),
};

/** True for an IQ addressed to the server itself (no `to`, or the bare domain). */
export function isForServer(iq: Element, domain: string): boolean {
  const to = iq.attrs['to'];
  return to === undefined || to === domain;
}

/** The reply to an IQ for the server: a handled result, or the RFC 6120 error for the rest. */
export function answerServerIq(iq: Element, ctx: LocalIqContext): Element {
  const type = iq.attrs['type'];
  if (type === 'result' || type === 'error') throw new Error('answerServerIq takes get and set only');
  const payload = iq.elements()[0]!;
  const handler = HANDLERS[`${type} ${payload.attrs['xmlns']}`];
  if (handler) return handler(iq, payload, ctx);
  return errorReply(iq, 'service-unavailable');
}

/** Features of an account's bare JID, which clients ask their own account for (XEP-0313 §7). */
export const ACCOUNT_FEATURES: readonly string[] = [NS.discoInfo, NS.mam, NS.mamExtended, NS.sid];

/** disco#info on the session's own bare JID, answered on the account's behalf (RFC 6120 §10.3.3). */
export function isOwnAccountDiscoInfo(iq: Element, account: string): boolean {
  return iq.attrs['type'] === 'get' && iq.attrs['to'] === account && iq.getChild('query', NS.discoInfo) !== undefined && !iq.getChild('query', NS.discoInfo)!.attrs['node'];
}

/** `extra`: features that depend on other services, e.g. urn:xmpp:push:0 while push works (XEP-0357 §5). */
export function answerOwnAccountDiscoInfo(iq: Element, extra: readonly string[] = []): Element {
  return result(iq, el('query', { xmlns: NS.discoInfo },
    el('identity', { category: 'account', type: 'registered' }),
    ...[...ACCOUNT_FEATURES, ...extra].map((v) => el('feature', { var: v }))));
}
