import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { extractFacts, type StanzaFacts } from './facts';

// alice.phone sends; bob is the account, bob.desktop one of his sessions.
const FROM = "from='alice@example.com/phone'";
const read = (xml: string, imNg = true) => extractFacts(parseElement(xml, undefined, NS.client), { imNg });

describe('extractFacts', () => {
  it.each<{ name: string; xml: string; imNg?: boolean; expected: Partial<StanzaFacts> }>([
    {
      name: 'chat with a body to a bare JID',
      xml: `<message ${FROM} to='bob@example.com' type='chat'><body>Hi Bob</body></message>`,
      expected: { kind: 'message', type: 'chat', address: 'bare', hasBody: true, payload: 'body', senderImNg: true },
    },
    {
      name: 'untyped message is normal (RFC 6121 §5.2.2)',
      xml: `<message ${FROM} to='bob@example.com/desktop'><body>Hi</body></message>`,
      expected: { type: 'normal', address: 'full' },
    },
    {
      name: 'unknown type is normal',
      xml: `<message ${FROM} to='bob@example.com' type='bogus'/>`,
      expected: { type: 'normal' },
    },
    {
      name: "no 'to' counts as bare (RFC 6120 §10.3.1)",
      xml: `<message ${FROM} type='chat'><body>note to self</body></message>`,
      expected: { to: undefined, address: 'bare' },
    },
    {
      name: 'im-ng marker and a legacy sender',
      xml: `<message ${FROM} to='bob@example.com/desktop' type='chat'><im-ng xmlns='${NS.imNg}'/></message>`,
      imNg: false,
      expected: { imNgMarker: true, senderImNg: false, hasBody: false, payload: 'other' },
    },
    {
      name: 'all four XEP-0334 hints and XEP-0280 private',
      xml: `<message ${FROM} to='bob@example.com' type='chat'><body>x</body><no-store xmlns='${NS.hints}'/><no-permanent-store xmlns='${NS.hints}'/><no-copy xmlns='${NS.hints}'/><store xmlns='${NS.hints}'/><private xmlns='${NS.carbons}'/></message>`,
      expected: { hints: { noStore: true, noPermanentStore: true, noCopy: true, store: true }, private: true },
    },
    {
      name: 'hint-named elements in other namespaces are not hints',
      xml: `<message ${FROM} to='bob@example.com' type='chat'><body xmlns='urn:example:other'>x</body><no-store xmlns='urn:example:other'/><private xmlns='${NS.hints}'/></message>`,
      expected: { hasBody: false, hints: { noStore: false, noPermanentStore: false, noCopy: false, store: false }, private: false },
    },
    {
      name: 'chat state alone',
      xml: `<message ${FROM} to='bob@example.com' type='chat'><composing xmlns='${NS.chatStates}'/></message>`,
      expected: { chatState: 'composing', payload: 'chat-state' },
    },
    {
      name: 'receipt request with a body',
      xml: `<message ${FROM} to='bob@example.com' type='chat' id='m1'><body>x</body><request xmlns='${NS.receipts}'/><markable xmlns='${NS.markers}'/></message>`,
      expected: { receipt: 'request', marker: 'markable', payload: 'body' },
    },
    {
      name: 'receipt beside a chat state is an ack',
      xml: `<message ${FROM} to='bob@example.com' type='chat'><received xmlns='${NS.receipts}' id='m1'/><active xmlns='${NS.chatStates}'/></message>`,
      expected: { receipt: 'received', chatState: 'active', payload: 'ack' },
    },
    {
      name: 'displayed marker is an ack',
      xml: `<message ${FROM} to='bob@example.com' type='chat'><displayed xmlns='${NS.markers}' id='m1'/></message>`,
      expected: { marker: 'displayed', payload: 'ack' },
    },
    {
      name: 'urgency hint',
      xml: `<message ${FROM} to='bob@example.com' type='chat'><body>x</body><urgency xmlns='${NS.concord}' level='low'/></message>`,
      expected: { urgencyHint: 'low' },
    },
    {
      name: 'urgency hint with an unknown level is ignored',
      xml: `<message ${FROM} to='bob@example.com' type='chat'><body>x</body><urgency xmlns='${NS.concord}' level='max'/></message>`,
      expected: { urgencyHint: undefined },
    },
    {
      name: 'error to a full JID without the marker answers a persistent message',
      xml: `<message ${FROM} to='bob@example.com/desktop' type='error'><error type='cancel'><service-unavailable xmlns='${NS.stanzas}'/></error></message>`,
      expected: { type: 'error', errorAnswersPersistent: true },
    },
    {
      name: 'error with the marker answers an ephemeral message',
      xml: `<message ${FROM} to='bob@example.com/desktop' type='error'><im-ng xmlns='${NS.imNg}'/><error type='cancel'><service-unavailable xmlns='${NS.stanzas}'/></error></message>`,
      expected: { errorAnswersPersistent: false },
    },
    {
      name: 'presence has no message type',
      xml: `<presence ${FROM} to='bob@example.com' type='subscribe'/>`,
      expected: { kind: 'presence', type: undefined, errorAnswersPersistent: false },
    },
    {
      name: 'iq',
      xml: `<iq ${FROM} to='bob@example.com/desktop' type='get' id='v1'><query xmlns='${NS.version}'/></iq>`,
      expected: { kind: 'iq', address: 'full' },
    },
    {
      name: 'an element outside the stanza namespaces is not a stanza',
      xml: `<r xmlns='${NS.sm}'/>`,
      expected: { kind: 'other', type: undefined },
    },
  ])('$name', ({ xml, imNg, expected }) => {
    expect(read(xml, imNg)).toMatchObject(expected);
  });

  it('parses the recipient into a Jid', () => {
    expect(read(`<message ${FROM} to='bob@example.com/desktop'/>`).to?.toString()).toBe('bob@example.com/desktop');
  });

  it('throws on a malformed to, which the gateway bounces before it gets here', () => {
    expect(() => read(`<message ${FROM} to='@example.com'/>`)).toThrow();
  });
});
