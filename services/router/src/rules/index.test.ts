import { NS } from '@concord/xmpp';
import { decide, type Decision } from './index';
import { ACTORS, BARE, BODY, COMPOSING, DISPLAYED, ERROR, FULL, IM_NG, LEGACY, LOW, PRIVATE, RECEIVED, type Sender, V2, hint, stamped } from './__fixtures__/stanzas';

/** Decides a stanza as the router receives it. */
function decideSent(xml: string, sender: Sender): Decision {
  return decide(stamped(xml, sender), { imNg: ACTORS[sender].imNg });
}

type Expected = Pick<Decision, 'persistence' | 'target' | 'urgency' | 'reflection' | 'addMarker'>;
const row = (name: string, sender: Sender, xml: string, persistence: Expected['persistence'], target: Expected['target'], urgency: Expected['urgency'], reflection: Expected['reflection'], addMarker = false) =>
  ({ name, sender, xml, expected: { persistence, target, urgency, reflection, addMarker } });

const ROWS = [
  row('bare JID chat', V2, `<message ${BARE} type='chat'>${BODY}</message>`, 'persistent', 'bare', 'urgent', 'archived-copy-to-2.0'),
  row('bare JID chat', LEGACY, `<message ${BARE} type='chat'>${BODY}</message>`, 'persistent', 'bare', 'urgent', 'archived-copy-to-2.0'),
  row('full JID chat: ephemeral, marker added', V2, `<message ${FULL} type='chat'>${BODY}</message>`, 'ephemeral-session', 'full', 'normal', 'none', true),
  row('full JID chat without marker: transition to bare', LEGACY, `<message ${FULL} type='chat'>${BODY}</message>`, 'persistent', 'bare', 'urgent', 'archived-copy-to-2.0'),
  row('full JID chat with <im-ng/>', LEGACY, `<message ${FULL} type='chat'>${BODY}${IM_NG}</message>`, 'ephemeral-session', 'full', 'normal', 'none'),
  row('normal to a full JID without marker', LEGACY, `<message ${FULL} type='normal'>${BODY}</message>`, 'persistent', 'bare', 'urgent', 'archived-copy-to-2.0'),
  row('<no-store/> to a bare JID', V2, `<message ${BARE} type='chat'>${BODY}${hint('no-store')}</message>`, 'ephemeral-all', 'bare', 'normal', 'carbons-if-enabled'),
  row('<no-permanent-store/> to a full JID: transition, not archived', LEGACY, `<message ${FULL} type='chat'>${BODY}${hint('no-permanent-store')}</message>`, 'ephemeral-all', 'bare', 'normal', 'carbons-if-enabled'),
  row('<no-copy/>', LEGACY, `<message ${BARE} type='chat'>${BODY}${hint('no-copy')}</message>`, 'persistent', 'bare', 'urgent', 'none'),
  row('<store/> on a chat state', V2, `<message ${BARE} type='chat'>${COMPOSING}${hint('store')}</message>`, 'persistent', 'bare', 'normal', 'archived-copy-to-2.0'),
  row('<private/>', LEGACY, `<message ${BARE} type='chat'>${BODY}${PRIVATE}</message>`, 'persistent', 'bare', 'urgent', 'none'),
  row('chat state to a bare JID', V2, `<message ${BARE} type='chat'>${COMPOSING}</message>`, 'ephemeral-all', 'bare', 'normal', 'carbons-if-enabled'),
  row('chat state to a full JID', V2, `<message ${FULL} type='chat'>${COMPOSING}</message>`, 'ephemeral-session', 'full', 'normal', 'none', true),
  row('receipt to a bare JID', LEGACY, `<message ${BARE} type='chat'>${RECEIVED}</message>`, 'persistent', 'bare', 'normal', 'archived-copy-to-2.0'),
  row('displayed marker to a bare JID', V2, `<message ${BARE} type='chat'>${DISPLAYED}</message>`, 'persistent', 'bare', 'normal', 'archived-copy-to-2.0'),
  row('low urgency hint', V2, `<message ${BARE} type='chat'>${BODY}${LOW}</message>`, 'persistent', 'bare', 'normal', 'archived-copy-to-2.0'),
  row('headline to a bare JID', V2, `<message ${BARE} type='headline'>${BODY}</message>`, 'ephemeral-all', 'bare', 'normal', 'none'),
  row('headline to a full JID', V2, `<message ${FULL} type='headline'>${BODY}</message>`, 'ephemeral-session', 'full', 'normal', 'none', true),
  row('error answering a persistent message', LEGACY, `<message ${FULL} type='error'>${ERROR}</message>`, 'ephemeral-all', 'bare', 'normal', 'none'),
  row('error with the marker', V2, `<message ${FULL} type='error'>${IM_NG}${ERROR}</message>`, 'ephemeral-session', 'full', 'normal', 'none'),
  row('groupchat to a room', V2, `<message to='garden@rooms.example.com' type='groupchat'>${BODY}</message>`, 'ephemeral-all', 'bare', 'normal', 'none'),
  row('presence', LEGACY, `<presence ${BARE} type='subscribe'/>`, 'not-message', 'bare', 'normal', 'none'),
  row('iq', V2, `<iq ${FULL} type='get' id='p1'><ping xmlns='${NS.ping}'/></iq>`, 'not-message', 'full', 'urgent', 'none'),
];

describe('decide', () => {
  it.each(ROWS)('$name ($sender)', ({ sender, xml, expected }) => {
    expect(decideSent(xml, sender)).toMatchObject(expected);
  });

  it.each(ROWS)('every reason cites its rule: $name ($sender)', ({ sender, xml }) => {
    for (const reason of Object.values(decideSent(xml, sender).reasons)) expect(reason).toMatch(/(DESIGN|RFC \d+|XEP-\d+) §?/);
  });

  it('refuses a malformed to, which the gateway bounces before it gets here', () => {
    expect(() => decideSent(`<message to='bob@' type='chat'>${BODY}</message>`, V2)).toThrow();
  });
});
