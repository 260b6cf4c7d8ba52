import { el, parseElement, serialize, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parse(stanza: string): Element {
  return parseElement(stanza, undefined, NS.client);
}

/**
 * The XEP-0424 tombstone of an archived message, as XEP-0313 returns it: the same <message/>
 * envelope (from, to, type, id) with its stanza-id and origin-id, the content replaced by
 * <retracted xmlns='urn:xmpp:message-retract:1' stamp='…'/>.
 */
export function tombstoneOf(stanza: string, retractedAtMs: number): string {
  const original = parse(stanza);
  const { from, to, type, id } = original.attrs;
  const kept = original.elements().filter((c) => c.xmlns === NS.sid);
  return serialize(el('message', { xmlns: NS.client, from, to, type, id }, el('retracted', { xmlns: NS.retract, stamp: stamp(retractedAtMs) }), ...kept));
}

/** What the API shows of a stored stanza: its body text and whether it is a tombstone. */
export function describeStanza(stanza: string): { body: string; retracted: boolean } {
  try {
    const m = parse(stanza);
    return { body: m.getChildText('body', NS.client) ?? '', retracted: m.getChild('retracted', NS.retract) !== undefined };
  } catch {
    return { body: '', retracted: false };
  }
}
