import { concord } from '@concord/proto';
import { NS } from '@concord/xmpp';
import { decide } from '../rules';
import { BARE, BODY, COMPOSING, HIGH, LOW, RECEIVED, V2, stamped } from '../rules/__fixtures__/stanzas';
import { mentionsAccount, pushRequestFor } from './push';

const BOB = 'bob@example.com';
const inbound = concord.events.v1.InboundStanza.fromPartial({ from: 'alice@example.com/phone', receivedAtMs: 1_700_000_000_000 });
const mention = (uri: string) => `<reference xmlns='${NS.reference}' type='mention' uri='${uri}' begin='0' end='3'/>`;

function request(xml: string) {
  const stanza = stamped(xml, V2);
  return pushRequestFor(decide(stanza, { imNg: true }), stanza, BOB, 'arch1', inbound);
}

describe('push requests from the router', () => {
  it('asks for a push for an urgent chat message, with what the push service decides on', () => {
    expect(request(`<message ${BARE} type='chat'>${BODY}</message>`)).toEqual(concord.events.v1.PushRequest.fromPartial({
      account: BOB, archiveId: 'arch1', from: 'alice@example.com/phone', body: 'Hi Bob', timestampMs: 1_700_000_000_000,
      conversation: 'alice@example.com', groupchat: false, mentionsAccount: false, urgent: true, urgencyHint: '',
    }));
  });

  it.each([
    ['a receipt', `<message ${BARE} type='chat'>${RECEIVED}</message>`],
    ['a chat state', `<message ${BARE} type='chat'>${COMPOSING}</message>`],
    ['a message lowered by the hint', `<message ${BARE} type='chat'>${BODY}${LOW}</message>`],
  ])('asks nothing for %s', (_what, xml) => {
    expect(request(xml)).toBeUndefined();
  });

  it('passes the high hint on', () => {
    expect(request(`<message ${BARE} type='chat'>${BODY}${HIGH}</message>`)?.urgencyHint).toBe('high');
  });

  it('hands groupchat messages with a body to the push service, which decides on mentions', () => {
    const r = request(`<message ${BARE} type='groupchat'>${BODY}${mention(`xmpp:${BOB}`)}</message>`);
    expect(r).toMatchObject({ groupchat: true, urgent: false, mentionsAccount: true });
  });

  it('finds XEP-0372 mentions of the account only', () => {
    const m = (refs: string) => mentionsAccount(stamped(`<message ${BARE} type='chat'>${BODY}${refs}</message>`, V2), BOB);
    expect(m(mention('xmpp:bob@example.com'))).toBe(true);
    expect(m(mention('xmpp:bob@example.com/phone'))).toBe(true);
    expect(m(mention('xmpp:bob%40example.com?message'))).toBe(true);
    expect(m(mention('xmpp:carol@example.com'))).toBe(false);
    expect(m(`<reference xmlns='${NS.reference}' type='data' uri='xmpp:bob@example.com'/>`)).toBe(false);
    expect(m(mention('https://example.com/bob'))).toBe(false);
    expect(m('')).toBe(false);
  });
});
