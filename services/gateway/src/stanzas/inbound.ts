import { tryParseJid, type Jid } from '@concord/jid';
import type { Element } from '@concord/xml';
import { NS, errorReply, type StreamErrorCondition } from '@concord/xmpp';
import { refuseClientCarbons } from './carbons';
import { answerServerIq, isForServer, type LocalIqContext } from './local-iq';

/** What the connection does with one stanza from a bound client. */
export type InboundVerdict =
  /** Answered by the gateway itself; `reply` goes back to the client. */
  | { kind: 'local'; reply?: Element; reason: string }
  /** Accepted: stamped and cleaned, to be published to the router. */
  | { kind: 'route'; stanza: Element; reason: string }
  /** Refused with a stanza error sent back; the stanza goes nowhere. */
  | { kind: 'bounce'; reply: Element; reason: string }
  /** Refused with a stream error: the stream ends. */
  | { kind: 'stream-error'; condition: StreamErrorCondition; reason: string };

const STANZA_TYPES: Record<string, readonly string[]> = {
  message: ['chat', 'error', 'groupchat', 'headline', 'normal'],
  presence: ['error', 'probe', 'subscribe', 'subscribed', 'unavailable', 'unsubscribe', 'unsubscribed'],
  iq: ['get', 'set', 'result', 'error'],
};

export interface InboundContext extends LocalIqContext {
  session: Jid;
}

/**
 * Validates and stamps one stanza from a bound client (RFC 6120 §8): `from` is always the
 * session's full JID (a client may only name its own JID), `to` must be a valid JID, stanza-ids
 * that claim to come from this server or the client's account are removed (XEP-0359 §3.1),
 * carbon wrappers are refused (XEP-0280 §11: only the server makes carbons), and IQs to the
 * server are answered here.
 */
export function classifyInbound(stanza: Element, ctx: InboundContext): InboundVerdict {
  if (stanza.attrs['xmlns'] !== NS.client || !(stanza.name in STANZA_TYPES)) {
    return { kind: 'stream-error', condition: 'unsupported-stanza-type', reason: `<${stanza.name}> in ${stanza.attrs['xmlns']}` };
  }
  const from = stanza.attrs['from'];
  if (from !== undefined && from !== ctx.session.toString() && from !== ctx.session.bare().toString()) {
    return { kind: 'stream-error', condition: 'invalid-from', reason: 'from names another entity' };
  }
  const out = stanza.clone();
  out.attrs['from'] = ctx.session.toString();
  const type = out.attrs['type'];
  if (type !== undefined && !STANZA_TYPES[out.name]!.includes(type)) {
    return { kind: 'bounce', reply: errorReply(out, 'bad-request', { from: ctx.domain, text: `unknown ${out.name} type` }), reason: 'bad type' };
  }
  const toText = out.attrs['to'];
  let to: Jid | undefined;
  if (toText !== undefined) {
    to = tryParseJid(toText);
    if (!to) return { kind: 'bounce', reply: errorReply(out, 'jid-malformed', { from: ctx.domain }), reason: 'malformed to' };
    out.attrs['to'] = to.toString();
  }
  stripOwnStanzaIds(out, ctx);
  const forged = out.name === 'message' ? refuseClientCarbons(out, ctx.domain) : undefined;
  if (forged) return { kind: 'bounce', reply: forged, reason: 'carbon copy from a client' };
  if (out.name === 'iq') return classifyIq(out, ctx);
  return { kind: 'route', stanza: out, reason: out.name };
}

function stripOwnStanzaIds(stanza: Element, ctx: InboundContext): void {
  const account = ctx.session.bare().toString();
  for (const sid of stanza.getChildren('stanza-id', NS.sid)) {
    const by = sid.attrs['by'];
    if (by === ctx.domain || by === account) stanza.remove(sid);
  }
}

function classifyIq(iq: Element, ctx: InboundContext): InboundVerdict {
  const type = iq.attrs['type'];
  if (!iq.attrs['id']) return { kind: 'stream-error', condition: 'invalid-xml', reason: 'iq without id' };
  const payloads = iq.elements();
  if ((type === 'get' || type === 'set') && payloads.length !== 1) {
    return { kind: 'bounce', reply: errorReply(iq, 'bad-request', { from: ctx.domain, text: 'get and set carry exactly one payload' }), reason: 'iq payload count' };
  }
  if (!isForServer(iq, ctx.domain)) return { kind: 'route', stanza: iq, reason: 'iq to an entity' };
  if (type === 'result' || type === 'error') return { kind: 'local', reason: 'iq response to the server' };
  return { kind: 'local', reply: answerServerIq(iq, ctx), reason: 'iq to the server' };
}
