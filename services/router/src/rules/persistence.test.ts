import { NS } from '@concord/xmpp';
import { persistence, type Persistence } from './persistence';
import { BARE, BODY, COMPOSING, DISPLAYED, ERROR, FULL, IM_NG, LEGACY, PRIVATE, RECEIVED, type Sender, V2, facts as sent, hint } from './__fixtures__/stanzas';

describe('persistence (DESIGN §3.1)', () => {
  it.each<{ name: string; sender: Sender; xml: string; expected: Persistence }>([
    // bare vs full JID
    { name: 'bare JID chat', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}</message>`, expected: 'persistent' },
    { name: 'bare JID chat from legacy', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}</message>`, expected: 'persistent' },
    { name: 'untyped to a bare JID', sender: V2, xml: `<message ${BARE}>${BODY}</message>`, expected: 'persistent' },
    { name: "no 'to': the sender's own account", sender: V2, xml: `<message type='chat'>${BODY}</message>`, expected: 'persistent' },
    { name: 'body-less message with no known payload to a bare JID', sender: V2, xml: `<message ${BARE} type='chat'><x xmlns='urn:example:payload'/></message>`, expected: 'persistent' },
    { name: 'full JID chat from 2.0', sender: V2, xml: `<message ${FULL} type='chat'>${BODY}</message>`, expected: 'ephemeral-session' },
    { name: 'full JID normal from 2.0', sender: V2, xml: `<message ${FULL} type='normal'>${BODY}</message>`, expected: 'ephemeral-session' },
    // XEP-0409 marker and the legacy transition logic
    { name: 'legacy full JID chat without marker: routed as bare', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}</message>`, expected: 'persistent' },
    { name: 'legacy full JID untyped without marker: routed as bare', sender: LEGACY, xml: `<message ${FULL}>${BODY}</message>`, expected: 'persistent' },
    { name: 'legacy full JID chat with the marker', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}${IM_NG}</message>`, expected: 'ephemeral-session' },
    { name: 'legacy full JID chat with <private/> is still routed as bare', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}${PRIVATE}</message>`, expected: 'persistent' },
    { name: 'marker on a bare JID changes nothing', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}${IM_NG}</message>`, expected: 'persistent' },
    // XEP-0334 hints
    { name: 'bare + <no-store/>', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-store')}</message>`, expected: 'ephemeral-all' },
    { name: 'bare + <no-permanent-store/>', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-permanent-store')}</message>`, expected: 'ephemeral-all' },
    { name: 'legacy full JID + <no-store/>: routed as bare, not archived', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}${hint('no-store')}</message>`, expected: 'ephemeral-all' },
    { name: '<no-copy/> does not change persistence', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-copy')}</message>`, expected: 'persistent' },
    { name: '<store/> forces a chat state into history', sender: V2, xml: `<message ${BARE} type='chat'>${COMPOSING}${hint('store')}</message>`, expected: 'persistent' },
    { name: '<no-store/> beats <store/>', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}${hint('store')}${hint('no-store')}</message>`, expected: 'ephemeral-all' },
    { name: '<store/> does not archive a full JID message', sender: V2, xml: `<message ${FULL} type='chat'>${BODY}${hint('store')}</message>`, expected: 'ephemeral-session' },
    // body-less: chat states, receipts, markers
    { name: 'chat state to a bare JID', sender: V2, xml: `<message ${BARE} type='chat'>${COMPOSING}</message>`, expected: 'ephemeral-all' },
    { name: 'chat state to a full JID from 2.0', sender: V2, xml: `<message ${FULL} type='chat'>${COMPOSING}</message>`, expected: 'ephemeral-session' },
    { name: 'chat state to a full JID from legacy: routed as bare', sender: LEGACY, xml: `<message ${FULL} type='chat'>${COMPOSING}</message>`, expected: 'ephemeral-all' },
    { name: 'body with a chat state', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}<active xmlns='${NS.chatStates}'/></message>`, expected: 'persistent' },
    { name: 'receipt to a bare JID', sender: V2, xml: `<message ${BARE} type='chat'>${RECEIVED}</message>`, expected: 'persistent' },
    { name: 'receipt with a chat state', sender: V2, xml: `<message ${BARE} type='chat'>${RECEIVED}${COMPOSING}</message>`, expected: 'persistent' },
    { name: 'receipt to a full JID from 2.0', sender: V2, xml: `<message ${FULL} type='chat'>${RECEIVED}</message>`, expected: 'ephemeral-session' },
    { name: 'receipt to a full JID from legacy: routed as bare', sender: LEGACY, xml: `<message ${FULL} type='chat'>${RECEIVED}</message>`, expected: 'persistent' },
    { name: 'displayed marker to a bare JID', sender: V2, xml: `<message ${BARE} type='chat'>${DISPLAYED}</message>`, expected: 'persistent' },
    // headline, error, groupchat
    { name: 'headline to a bare JID', sender: V2, xml: `<message ${BARE} type='headline'>${BODY}</message>`, expected: 'ephemeral-all' },
    { name: 'headline to a full JID from legacy (no transition)', sender: LEGACY, xml: `<message ${FULL} type='headline'>${BODY}</message>`, expected: 'ephemeral-session' },
    { name: 'headline with <store/> is still not archived', sender: V2, xml: `<message ${BARE} type='headline'>${BODY}${hint('store')}</message>`, expected: 'ephemeral-all' },
    { name: 'error to a full JID without the marker', sender: LEGACY, xml: `<message ${FULL} type='error'>${ERROR}</message>`, expected: 'ephemeral-all' },
    { name: 'error to a full JID with the marker', sender: V2, xml: `<message ${FULL} type='error'>${IM_NG}${ERROR}</message>`, expected: 'ephemeral-session' },
    { name: 'error to a bare JID', sender: V2, xml: `<message ${BARE} type='error'>${ERROR}</message>`, expected: 'ephemeral-all' },
    { name: 'error with <store/> is still not archived', sender: V2, xml: `<message ${BARE} type='error'>${ERROR}${hint('store')}</message>`, expected: 'ephemeral-all' },
    { name: 'groupchat to a room', sender: V2, xml: `<message to='garden@rooms.example.com' type='groupchat'>${BODY}</message>`, expected: 'ephemeral-all' },
    { name: 'groupchat to a full JID', sender: LEGACY, xml: `<message to='garden@rooms.example.com/nurse' type='groupchat'>${BODY}</message>`, expected: 'ephemeral-session' },
    // not messages
    { name: 'presence', sender: V2, xml: `<presence ${BARE} type='subscribe'/>`, expected: 'not-message' },
    { name: 'iq', sender: V2, xml: `<iq ${FULL} type='get' id='p1'><ping xmlns='${NS.ping}'/></iq>`, expected: 'not-message' },
  ])('$name ($sender) → $expected', ({ sender, xml, expected }) => {
    const v = persistence(sent(xml, sender));
    expect(v.verdict).toBe(expected);
    expect(v.reason).toMatch(/DESIGN §3/);
  });
});
