import { NS } from '@concord/xmpp';
import { persistence } from './persistence';
import { urgency, type Urgency } from './urgency';
import { BARE, BODY, COMPOSING, DISPLAYED, ERROR, FULL, HIGH, LEGACY, LOW, RECEIVED, type Sender, V2, facts, hint } from './__fixtures__/stanzas';

describe('urgency (DESIGN §3.2)', () => {
  it.each<{ name: string; sender: Sender; xml: string; expected: Urgency }>([
    { name: 'persistent bare JID chat', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}</message>`, expected: 'urgent' },
    { name: 'persistent chat with a receipt request', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}<request xmlns='${NS.receipts}'/></message>`, expected: 'urgent' },
    { name: 'legacy full JID chat, routed as bare', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}</message>`, expected: 'urgent' },
    { name: 'ephemeral full JID chat from 2.0', sender: V2, xml: `<message ${FULL} type='chat'>${BODY}</message>`, expected: 'normal' },
    { name: 'ephemeral bare + <no-store/>', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-store')}</message>`, expected: 'normal' },
    { name: 'HIGH hint raises an ephemeral message', sender: V2, xml: `<message ${FULL} type='chat'>${BODY}${HIGH}</message>`, expected: 'urgent' },
    { name: 'HIGH hint raises a no-store message', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-store')}${HIGH}</message>`, expected: 'urgent' },
    { name: 'LOW hint lowers a persistent message', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}${LOW}</message>`, expected: 'normal' },
    { name: 'receipt is never urgent', sender: V2, xml: `<message ${BARE} type='chat'>${RECEIVED}</message>`, expected: 'normal' },
    { name: 'receipt stays normal even with the HIGH hint', sender: V2, xml: `<message ${BARE} type='chat'>${RECEIVED}${HIGH}</message>`, expected: 'normal' },
    { name: 'marker is never urgent', sender: LEGACY, xml: `<message ${BARE} type='chat'>${DISPLAYED}</message>`, expected: 'normal' },
    { name: 'chat state is never urgent', sender: V2, xml: `<message ${BARE} type='chat'>${COMPOSING}</message>`, expected: 'normal' },
    { name: 'chat state forced persistent by <store/> is still not urgent', sender: V2, xml: `<message ${BARE} type='chat'>${COMPOSING}${hint('store')}</message>`, expected: 'normal' },
    { name: 'headline is never urgent', sender: V2, xml: `<message ${BARE} type='headline'>${BODY}</message>`, expected: 'normal' },
    { name: 'headline stays normal with the HIGH hint', sender: V2, xml: `<message ${BARE} type='headline'>${BODY}${HIGH}</message>`, expected: 'normal' },
    { name: 'error is ephemeral, so not urgent', sender: LEGACY, xml: `<message ${FULL} type='error'>${ERROR}</message>`, expected: 'normal' },
    { name: 'error raised by the HIGH hint', sender: V2, xml: `<message ${FULL} type='error'>${ERROR}${HIGH}</message>`, expected: 'urgent' },
    { name: 'groupchat: mentions and preferences decide, not this rule', sender: V2, xml: `<message to='garden@rooms.example.com' type='groupchat'>${BODY}${HIGH}</message>`, expected: 'normal' },
    { name: 'presence waits in the CSI queue', sender: V2, xml: `<presence ${BARE} type='subscribe'/>`, expected: 'normal' },
    { name: 'iq is never held back', sender: V2, xml: `<iq ${FULL} type='get' id='p1'><ping xmlns='${NS.ping}'/></iq>`, expected: 'urgent' },
  ])('$name ($sender) → $expected', ({ sender, xml, expected }) => {
    const f = facts(xml, sender);
    const v = urgency(f, persistence(f).verdict);
    expect(v.verdict).toBe(expected);
    expect(v.reason).toMatch(/DESIGN §3/);
  });
});
