import { persistence } from './persistence';
import { reflection, type Reflection } from './reflection';
import { BARE, BODY, COMPOSING, DISPLAYED, ERROR, FULL, IM_NG, LEGACY, PRIVATE, RECEIVED, type Sender, V2, facts, hint } from './__fixtures__/stanzas';

describe('reflection (DESIGN §3.1, §7)', () => {
  it.each<{ name: string; sender: Sender; xml: string; expected: Reflection }>([
    { name: 'persistent bare JID chat', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}</message>`, expected: 'archived-copy-to-2.0' },
    { name: 'persistent bare JID chat from legacy', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}</message>`, expected: 'archived-copy-to-2.0' },
    { name: 'legacy full JID chat, routed as bare', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}</message>`, expected: 'archived-copy-to-2.0' },
    { name: 'receipt to a bare JID (read state syncs)', sender: V2, xml: `<message ${BARE} type='chat'>${RECEIVED}</message>`, expected: 'archived-copy-to-2.0' },
    { name: 'marker to a bare JID', sender: LEGACY, xml: `<message ${BARE} type='chat'>${DISPLAYED}</message>`, expected: 'archived-copy-to-2.0' },
    { name: 'full JID ephemeral from 2.0 is never copied', sender: V2, xml: `<message ${FULL} type='chat'>${BODY}</message>`, expected: 'none' },
    { name: 'legacy full JID with the marker is never copied', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}${IM_NG}</message>`, expected: 'none' },
    { name: '<private/> stops reflection', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}${PRIVATE}</message>`, expected: 'none' },
    { name: '<private/> on a legacy full JID message routed as bare', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}${PRIVATE}</message>`, expected: 'none' },
    { name: '<private/> from 2.0', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}${PRIVATE}</message>`, expected: 'none' },
    { name: '<no-copy/> stops reflection', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-copy')}</message>`, expected: 'none' },
    { name: '<no-store/>: no archived copy, carbons only', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-store')}</message>`, expected: 'carbons-if-enabled' },
    { name: '<no-permanent-store/> from 2.0: carbons only', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-permanent-store')}</message>`, expected: 'carbons-if-enabled' },
    { name: '<store/> chat state: archived copy', sender: V2, xml: `<message ${BARE} type='chat'>${COMPOSING}${hint('store')}</message>`, expected: 'archived-copy-to-2.0' },
    { name: 'chat state to a bare JID: carbons only', sender: V2, xml: `<message ${BARE} type='chat'>${COMPOSING}</message>`, expected: 'carbons-if-enabled' },
    { name: 'chat state to a full JID from 2.0', sender: V2, xml: `<message ${FULL} type='chat'>${COMPOSING}</message>`, expected: 'none' },
    { name: 'headline is never reflected', sender: LEGACY, xml: `<message ${BARE} type='headline'>${BODY}</message>`, expected: 'none' },
    { name: 'error is never reflected', sender: LEGACY, xml: `<message ${FULL} type='error'>${ERROR}</message>`, expected: 'none' },
    { name: 'groupchat is not reflected by the 1-1 rules', sender: V2, xml: `<message to='garden@rooms.example.com' type='groupchat'>${BODY}</message>`, expected: 'none' },
    { name: 'presence', sender: V2, xml: `<presence ${BARE} type='subscribed'/>`, expected: 'none' },
  ])('$name ($sender) → $expected', ({ sender, xml, expected }) => {
    const f = facts(xml, sender);
    const v = reflection(f, persistence(f).verdict);
    expect(v.verdict).toBe(expected);
    expect(v.reason).toMatch(/DESIGN §3/);
  });
});
