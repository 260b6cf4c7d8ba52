import { el, type Element } from '@concord/xml';
import { NS } from './ns';

/** RFC 6120 §4.9.3 stream error conditions. */
export type StreamErrorCondition =
  | 'bad-format' | 'bad-namespace-prefix' | 'conflict' | 'connection-timeout' | 'host-gone' | 'host-unknown'
  | 'improper-addressing' | 'internal-server-error' | 'invalid-from' | 'invalid-namespace' | 'invalid-xml'
  | 'not-authorized' | 'not-well-formed' | 'policy-violation' | 'remote-connection-failed' | 'reset'
  | 'resource-constraint' | 'restricted-xml' | 'see-other-host' | 'system-shutdown' | 'undefined-condition'
  | 'unsupported-encoding' | 'unsupported-feature' | 'unsupported-stanza-type' | 'unsupported-version';

/** RFC 6120 §8.3.3 stanza error conditions. */
export type StanzaErrorCondition =
  | 'bad-request' | 'conflict' | 'feature-not-implemented' | 'forbidden' | 'gone' | 'internal-server-error'
  | 'item-not-found' | 'jid-malformed' | 'not-acceptable' | 'not-allowed' | 'not-authorized' | 'policy-violation'
  | 'recipient-unavailable' | 'redirect' | 'registration-required' | 'remote-server-not-found'
  | 'remote-server-timeout' | 'resource-constraint' | 'service-unavailable' | 'subscription-required'
  | 'undefined-condition' | 'unexpected-request';

export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

/** The error type RFC 6120 §8.3.3 gives for each condition. */
const DEFAULT_TYPE: Record<StanzaErrorCondition, StanzaErrorType> = {
  'bad-request': 'modify', conflict: 'cancel', 'feature-not-implemented': 'cancel', forbidden: 'auth', gone: 'cancel',
  'internal-server-error': 'cancel', 'item-not-found': 'cancel', 'jid-malformed': 'modify', 'not-acceptable': 'modify',
  'not-allowed': 'cancel', 'not-authorized': 'auth', 'policy-violation': 'modify', 'recipient-unavailable': 'wait',
  redirect: 'modify', 'registration-required': 'auth', 'remote-server-not-found': 'cancel', 'remote-server-timeout': 'wait',
  'resource-constraint': 'wait', 'service-unavailable': 'cancel', 'subscription-required': 'auth',
  'undefined-condition': 'cancel', 'unexpected-request': 'wait',
};

/** `<stream:error>` body (the caller writes it inside the stream and then closes). */
export function streamError(condition: StreamErrorCondition, text?: string): Element {
  return el('error', { xmlns: NS.stream },
    el(condition, { xmlns: NS.streams }),
    text ? el('text', { xmlns: NS.streams, 'xml:lang': 'en' }, text) : undefined);
}

/** `<error type>` child for a stanza error. */
export function stanzaErrorChild(condition: StanzaErrorCondition, text?: string, type: StanzaErrorType = DEFAULT_TYPE[condition]): Element {
  return el('error', { type },
    el(condition, { xmlns: NS.stanzas }),
    text ? el('text', { xmlns: NS.stanzas, 'xml:lang': 'en' }, text) : undefined);
}

/**
 * The error reply to a stanza (RFC 6120 §8.3.1): same name and id, type="error", addresses
 * swapped, the original payload kept for IQs so the sender can correlate.
 */
export function errorReply(stanza: Element, condition: StanzaErrorCondition, opts: { from?: string; text?: string } = {}): Element {
  const reply = el(stanza.name, {
    xmlns: stanza.attrs['xmlns'] ?? NS.client,
    type: 'error',
    id: stanza.attrs['id'],
    from: opts.from ?? stanza.attrs['to'],
    to: stanza.attrs['from'],
  });
  if (stanza.name === 'iq') for (const c of stanza.elements()) reply.append(c.clone());
  reply.append(stanzaErrorChild(condition, opts.text));
  return reply;
}
