/**
 * Everything the routing rules look at, read once from a parsed stanza, so that each rule is a
 * small pure function of plain data (and a test row can be read at a glance).
 */
import { parseJid, type Jid } from '@concord/jid';
import type { Element } from '@concord/xml';
import { NS } from '@concord/xmpp';

export type StanzaKind = 'message' | 'presence' | 'iq' | 'other';
export type MessageType = 'chat' | 'normal' | 'headline' | 'error' | 'groupchat';
export type Receipt = 'request' | 'received';
export type ChatMarker = 'markable' | 'received' | 'displayed' | 'acknowledged';

/**
 * What the message carries, for the body-less rules (DESIGN §3.1, §3.2): `ack` is a XEP-0184
 * `<received/>` or a XEP-0333 received/displayed/acknowledged marker (history needs it);
 * `chat-state` is a XEP-0085 state with neither a body nor an ack; `other` is any other body-less
 * message, which follows the plain bare/full rules.
 */
export type Payload = 'body' | 'ack' | 'chat-state' | 'other';

export interface SenderInfo {
  /** The sending session enabled XEP-0409 IM-NG: a 2.0 session (DESIGN §3). */
  imNg: boolean;
}

export interface StanzaFacts {
  kind: StanzaKind;
  /** Message type; untyped (and unknown, RFC 6121 §5.2.2) is `normal`. Undefined unless a message. */
  type: MessageType | undefined;
  /** Undefined when the stanza has no `to`. */
  to: Jid | undefined;
  /** No `to` counts as bare: a message without one is for the sender's own account (RFC 6120 §10.3.1). */
  address: 'bare' | 'full';
  hasBody: boolean;
  /** XEP-0409 `<im-ng xmlns='urn:xmpp:im-ng:0'/>`. */
  imNgMarker: boolean;
  /** XEP-0334 processing hints. */
  hints: { noStore: boolean; noPermanentStore: boolean; noCopy: boolean; store: boolean };
  /** XEP-0280 `<private/>`. */
  private: boolean;
  /** Local name of the XEP-0085 state element (active, composing, …), if any. */
  chatState: string | undefined;
  /** XEP-0184; `received` wins if a message carries both. */
  receipt: Receipt | undefined;
  /** XEP-0333; a received/displayed/acknowledged marker wins over `markable`. */
  marker: ChatMarker | undefined;
  payload: Payload;
  /** `<urgency xmlns='urn:concord:mr2:0' level='high|low'/>` (DESIGN §7); other levels are ignored. */
  urgencyHint: 'high' | 'low' | undefined;
  senderImNg: boolean;
  /**
   * An error message taken to answer a persistent message. The original is not known here, so
   * the marker decides: an error carrying `<im-ng/>` to a full JID answers an ephemeral message
   * (XEP-0409 §4: only marker-less full-JID errors go to all IM-NG clients); any other error is
   * taken to answer a persistent one, which is what an unmarked message is under DESIGN §3.1.
   * The server never adds the marker to an error for the same reason (see addMarker).
   */
  errorAnswersPersistent: boolean;
}

const MESSAGE_TYPES = ['chat', 'normal', 'headline', 'error', 'groupchat'] as const satisfies readonly MessageType[];
const ACK_MARKERS = ['received', 'displayed', 'acknowledged'] as const;

/**
 * Throws JidError on a malformed `to`: the gateway bounces those with `<jid-malformed/>`
 * (services/gateway/src/stanzas/inbound.ts), so one reaching the router is a poison message.
 */
export function extractFacts(stanza: Element, sender: SenderInfo): StanzaFacts {
  const kind = kindOf(stanza);
  const type = kind === 'message' ? messageType(stanza.attrs['type']) : undefined;
  const toText = stanza.attrs['to'];
  const to = toText === undefined ? undefined : parseJid(toText);
  const address = to === undefined || to.isBare ? 'bare' : 'full';
  const has = (name: string, ns: string) => stanza.getChild(name, ns) !== undefined;

  const hasBody = has('body', stanza.xmlns ?? NS.client);
  const imNgMarker = has('im-ng', NS.imNg);
  const chatState = stanza.elements().find((c) => (c.xmlns ?? stanza.xmlns) === NS.chatStates)?.name;
  const receipt = has('received', NS.receipts) ? 'received' : has('request', NS.receipts) ? 'request' : undefined;
  const marker = ACK_MARKERS.find((m) => has(m, NS.markers)) ?? (has('markable', NS.markers) ? 'markable' : undefined);
  const level = stanza.getChild('urgency', NS.concord)?.attrs['level'];

  return {
    kind,
    type,
    to,
    address,
    hasBody,
    imNgMarker,
    hints: {
      noStore: has('no-store', NS.hints),
      noPermanentStore: has('no-permanent-store', NS.hints),
      noCopy: has('no-copy', NS.hints),
      store: has('store', NS.hints),
    },
    private: has('private', NS.carbons),
    chatState,
    receipt,
    marker,
    payload: payloadOf(hasBody, receipt, marker, chatState),
    urgencyHint: level === 'high' || level === 'low' ? level : undefined,
    senderImNg: sender.imNg,
    errorAnswersPersistent: type === 'error' && !(imNgMarker && address === 'full'),
  };
}

function kindOf(stanza: Element): StanzaKind {
  // Stanzas from clients arrive in jabber:client; jabber:server is there for §3.7 (s2s).
  if (stanza.xmlns !== NS.client && stanza.xmlns !== NS.server) return 'other';
  return stanza.name === 'message' || stanza.name === 'presence' || stanza.name === 'iq' ? stanza.name : 'other';
}

function messageType(type: string | undefined): MessageType {
  return MESSAGE_TYPES.find((t) => t === type) ?? 'normal';
}

function payloadOf(hasBody: boolean, receipt: Receipt | undefined, marker: ChatMarker | undefined, chatState: string | undefined): Payload {
  if (hasBody) return 'body';
  // An ack beside a chat state is still an ack: history needs it (DESIGN §3.1).
  if (receipt === 'received' || (marker !== undefined && marker !== 'markable')) return 'ack';
  return chatState !== undefined ? 'chat-state' : 'other';
}
