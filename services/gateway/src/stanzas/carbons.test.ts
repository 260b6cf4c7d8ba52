import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { carbonsRequest, refuseClientCarbons } from './carbons';

const ALICE = 'alice@example.com';
const ctx = { domain: 'example.com', account: ALICE };
const iq = (attrs: string, payload: string) => parseElement(`<iq xmlns='${NS.client}' id='c1' ${attrs}>${payload}</iq>`);

describe('XEP-0280 enable and disable requests', () => {
  it.each([
    ['enable, no to', iq("type='set'", `<enable xmlns='${NS.carbons}'/>`), { enable: true }],
    ['disable to the domain', iq("type='set' to='example.com'", `<disable xmlns='${NS.carbons}'/>`), { enable: false }],
    ['enable to the own bare JID', iq(`type='set' to='${ALICE}'`, `<enable xmlns='${NS.carbons}'/>`), { enable: true }],
    ['to another account: not ours to answer', iq("type='set' to='bob@example.com'", `<enable xmlns='${NS.carbons}'/>`), undefined],
    ['another namespace', iq("type='set'", `<enable xmlns='${NS.push}' jid='p' node='n'/>`), undefined],
    ['a result', iq("type='result'", `<enable xmlns='${NS.carbons}'/>`), undefined],
  ])('%s', (_what, stanza, expected) => {
    expect(carbonsRequest(stanza, ctx)).toEqual(expected);
  });

  it.each([
    ['a get', iq("type='get'", `<enable xmlns='${NS.carbons}'/>`)],
    ['an unknown element', iq("type='set'", `<private xmlns='${NS.carbons}'/>`)],
  ])('%s is a bad request', (_what, stanza) => {
    const r = carbonsRequest(stanza, ctx);
    expect(r && 'error' in r && r.error.getChild('error')?.getChild('bad-request', NS.stanzas)).toBeTruthy();
  });
});

describe('carbons sent by a client', () => {
  const forged = (type: string, wrapper: string) => parseElement(
    `<message xmlns='${NS.client}' from='bob@example.com/desk' to='${ALICE}' type='${type}' id='f1'><${wrapper} xmlns='${NS.carbons}'><forwarded xmlns='${NS.forward}'>` +
    `<message xmlns='${NS.client}' from='${ALICE}/phone' to='carol@example.com'><body>forged</body></message></forwarded></${wrapper}></message>`);

  it.each(['sent', 'received'])('a chat message carrying <%s/> is refused with not-acceptable', (wrapper) => {
    const reply = refuseClientCarbons(forged('chat', wrapper), 'example.com');
    expect(reply?.attrs).toMatchObject({ type: 'error', to: 'bob@example.com/desk', from: 'example.com', id: 'f1' });
    expect(reply?.getChild('error')?.getChild('not-acceptable', NS.stanzas)).toBeDefined();
  });

  it('an error message is stripped of the wrapper, never answered', () => {
    const m = forged('error', 'sent');
    expect(refuseClientCarbons(m, 'example.com')).toBeUndefined();
    expect(m.getChild('sent', NS.carbons)).toBeUndefined();
  });

  it('<private/> is the client\'s to send', () => {
    const m = parseElement(`<message xmlns='${NS.client}' to='bob@example.com' type='chat'><body>x</body><private xmlns='${NS.carbons}'/></message>`);
    expect(refuseClientCarbons(m, 'example.com')).toBeUndefined();
    expect(m.getChild('private', NS.carbons)).toBeDefined();
  });
});
