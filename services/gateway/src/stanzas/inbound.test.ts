import { parseJid } from '@concord/jid';
import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { checkInbound, echoName, stanzaKind } from './inbound';

const ctx = { session: parseJid('alice@example.org/phone'), domain: 'example.org', serverFeatures: [] };
const parse = (xml: string) => parseElement(xml, {}, NS.client);
const sid = (by: string) => `<stanza-id xmlns='${NS.sid}' by='${by}' id='FORGED'/>`;

describe('checkInbound', () => {
  it.each([
    ['no from', `<message to='bob@example.org'/>`, 'route'],
    ['its own full JID', `<message from='alice@example.org/phone'/>`, 'route'],
    ['its own bare JID', `<message from='alice@example.org'/>`, 'route'],
    ['its own JID in another case', `<message from='ALICE@Example.ORG/phone'/>`, 'route'],
    ['another resource', `<message from='alice@example.org/laptop'/>`, 'stream-error'],
    ['another account', `<message from='bob@example.org'/>`, 'stream-error'],
    ['a from that is no JID', `<message from='@@'/>`, 'stream-error'],
    ['an IQ to the server with a forged from', `<iq type='get' id='1' from='bob@example.org'><ping xmlns='urn:xmpp:ping'/></iq>`, 'stream-error'],
    ['an unknown stanza', `<evil/>`, 'stream-error'],
    ['an unknown type', `<message type='evil'/>`, 'bounce'],
    ['a malformed to', `<message to='a@b@c'/>`, 'bounce'],
  ])('%s: %s', (_what, xml, kind) => {
    expect(checkInbound(parse(xml), ctx).kind).toBe(kind);
  });

  it('stamps the full JID and normalizes to', () => {
    const v = checkInbound(parse(`<message to='Bob@EXAMPLE.org'/>`), ctx);
    expect(v.kind === 'route' && [v.stanza.attrs['from'], v.stanza.attrs['to']]).toEqual(['alice@example.org/phone', 'bob@example.org']);
  });

  it.each([
    ['the domain', 'example.org', false],
    ['the domain in another case', 'EXAMPLE.org', false],
    ['an account here', 'bob@example.org', false],
    ['an account here in another case', 'SEC-A@example.org', false],
    ['a component here', 'rooms.example.org', false],
    ['a room here', 'team@rooms.example.org', false],
    ['no JID at all', '', false],
    ['another server', 'other.example', true],
    ['an account elsewhere', 'bob@other.example', true],
    ['a domain that only ends like ours', 'badexample.org', true],
  ])('a stanza-id by %s (%s) is kept: %s', (_what, by, kept) => {
    const v = checkInbound(parse(`<message to='bob@example.org'>${sid(by)}<body>hi</body></message>`), ctx);
    expect(v.kind).toBe('route');
    if (v.kind === 'route') expect(v.stanza.getChildren('stanza-id', NS.sid).length).toBe(kept ? 1 : 0);
  });
});

describe('client-chosen names', () => {
  it('labels stanzas from a closed set', () => {
    expect(['message', 'presence', 'iq', 'x'.repeat(100_000)].map((n) => stanzaKind(parse(`<${n}/>`)))).toEqual(['message', 'presence', 'iq', 'other']);
  });

  it('bounds what an error text echoes', () => {
    expect(echoName('short')).toBe('short');
    expect(echoName('x'.repeat(200_000)).length).toBeLessThan(100);
    const v = checkInbound(parse(`<${'x'.repeat(200_000)}/>`), ctx);
    expect(v.kind === 'stream-error' && v.reason.length).toBeLessThan(200);
  });
});
