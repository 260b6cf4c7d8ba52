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

/**
 * The stanza's kind for metrics labels and logs: from a closed set, never the client's own
 * element name (labels a client chooses would grow /metrics without bound).
 */
export function stanzaKind(stanza: Element): 'message' | 'presence' | 'iq' | 'other' {
  return stanza.attrs['xmlns'] === NS.client && stanza.name in STANZA_TYPES ? stanza.name as 'message' | 'presence' | 'iq' : 'other';
}

/** How much of a client-chosen name goes back into a stream error's text. */
const ECHO_MAX_CHARS = 64;

/** A client-chosen element name or namespace as quoted in an error text: bounded. */
export function echoName(name: string | undefined): string {
  if (name === undefined) return '(none)';
  return name.length <= ECHO_MAX_CHARS ? name : `${name.slice(0, ECHO_MAX_CHARS)}… (${name.length} characters)`;
}

export interface InboundContext extends LocalIqContext {
  session: Jid;
}

/**
 * The first stage for every stanza from a bound client (RFC 6120 §8), before anything acts on
 * it: `from` is always the session's full JID (a client may only name its own JID, compared
 * after normalization), `type` must be one the stanza has, `to` must be a valid JID and is
 * normalized, stanza-ids that claim to come from an entity this server is responsible for are
 * removed (XEP-0359 §3.1), and carbon wrappers are refused (XEP-0280 §11: only the server makes
 * carbons). 'route' carries the stamped stanza on to the next stage; anything else is final.
 */
export function checkInbound(stanza: Element, ctx: InboundContext): InboundVerdict {
  if (stanza.attrs['xmlns'] !== NS.client || !(stanza.name in STANZA_TYPES)) {
    return { kind: 'stream-error', condition: 'unsupported-stanza-type', reason: `<${echoName(stanza.name)}> in ${echoName(stanza.attrs['xmlns'])}` };
  }
  const from = stanza.attrs['from'];
  if (from !== undefined && !namesSession(from, ctx.session)) {
    return { kind: 'stream-error', condition: 'invalid-from', reason: 'from names another entity' };
  }
  const out = stanza.clone();
  out.attrs['from'] = ctx.session.toString();
  const type = out.attrs['type'];
  if (type !== undefined && !STANZA_TYPES[out.name]!.includes(type)) {
    return { kind: 'bounce', reply: errorReply(out, 'bad-request', { from: ctx.domain, text: `unknown ${out.name} type` }), reason: 'bad type' };
  }
  const toText = out.attrs['to'];
  if (toText !== undefined) {
    const to = tryParseJid(toText);
    if (!to) return { kind: 'bounce', reply: errorReply(out, 'jid-malformed', { from: ctx.domain }), reason: 'malformed to' };
    out.attrs['to'] = to.toString();
  }
  stripServerStanzaIds(out, ctx.domain);
  const forged = out.name === 'message' ? refuseClientCarbons(out, ctx.domain) : undefined;
  if (forged) return { kind: 'bounce', reply: forged, reason: 'carbon copy from a client' };
  return { kind: 'route', stanza: out, reason: out.name };
}

/**
 * The last stage for a checked stanza no handler took: IQs to the server are answered here,
 * everything else goes to the router.
 */
export function classifyChecked(stanza: Element, ctx: InboundContext): InboundVerdict {
  if (stanza.name === 'iq') return classifyIq(stanza, ctx);
  return { kind: 'route', stanza, reason: stanza.name };
}

/** Both stages, for a stanza no handler takes in between. */
export function classifyInbound(stanza: Element, ctx: InboundContext): InboundVerdict {
  const checked = checkInbound(stanza, ctx);
  return checked.kind === 'route' ? classifyChecked(checked.stanza, ctx) : checked;
}

/** `from` as a client may write it: its own full or bare JID, in any case the JID rules fold. */
function namesSession(from: string, session: Jid): boolean {
  const jid = tryParseJid(from);
  return jid !== undefined && (jid.equals(session) || jid.equals(session.bare()));
}

/**
 * Only this server puts stanza-ids by its own entities (its domain, its accounts, its
 * components) on a stanza: a client's would be taken for an archive ID. A `by` that is not a
 * JID names nothing a reader could trust either.
 */
function stripServerStanzaIds(stanza: Element, domain: string): void {
  for (const sid of stanza.getChildren('stanza-id', NS.sid)) {
    const by = tryParseJid(sid.attrs['by'] ?? '');
    if (!by || by.domain === domain || by.domain.endsWith(`.${domain}`)) stanza.remove(sid);
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
