import { NS } from '@concord/xmpp';
import { addMarker, effectiveTarget, type Target } from './addressing';
import { BARE, BODY, ERROR, FULL, IM_NG, LEGACY, type Sender, V2, facts } from './__fixtures__/stanzas';

describe('effectiveTarget and addMarker (DESIGN §3.1)', () => {
  it.each<{ name: string; sender: Sender; xml: string; target: Target; addMarker: boolean }>([
    { name: 'bare JID chat', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}</message>`, target: 'bare', addMarker: false },
    { name: "no 'to'", sender: V2, xml: `<message type='chat'>${BODY}</message>`, target: 'bare', addMarker: false },
    { name: 'full JID chat from 2.0: the server adds the marker', sender: V2, xml: `<message ${FULL} type='chat'>${BODY}</message>`, target: 'full', addMarker: true },
    { name: 'full JID untyped from 2.0', sender: V2, xml: `<message ${FULL}>${BODY}</message>`, target: 'full', addMarker: true },
    { name: 'full JID chat from 2.0 already marked', sender: V2, xml: `<message ${FULL} type='chat'>${BODY}${IM_NG}</message>`, target: 'full', addMarker: false },
    { name: 'full JID headline from 2.0', sender: V2, xml: `<message ${FULL} type='headline'>${BODY}</message>`, target: 'full', addMarker: true },
    { name: 'legacy full JID chat without marker: routed as bare', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}</message>`, target: 'bare', addMarker: false },
    { name: 'legacy full JID normal without marker: routed as bare', sender: LEGACY, xml: `<message ${FULL} type='normal'>${BODY}</message>`, target: 'bare', addMarker: false },
    { name: 'legacy full JID chat with the marker', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}${IM_NG}</message>`, target: 'full', addMarker: false },
    { name: 'legacy full JID headline: no transition', sender: LEGACY, xml: `<message ${FULL} type='headline'>${BODY}</message>`, target: 'full', addMarker: false },
    { name: 'legacy full JID groupchat: no transition', sender: LEGACY, xml: `<message to='garden@rooms.example.com/nurse' type='groupchat'>${BODY}</message>`, target: 'full', addMarker: false },
    { name: 'groupchat to a full JID from 2.0 gets no marker', sender: V2, xml: `<message to='garden@rooms.example.com/nurse' type='groupchat'>${BODY}</message>`, target: 'full', addMarker: false },
    { name: 'error without the marker from 2.0: to the account, and no marker added', sender: V2, xml: `<message ${FULL} type='error'>${ERROR}</message>`, target: 'bare', addMarker: false },
    { name: 'error without the marker from legacy', sender: LEGACY, xml: `<message ${FULL} type='error'>${ERROR}</message>`, target: 'bare', addMarker: false },
    { name: 'error with the marker: only the addressed session', sender: V2, xml: `<message ${FULL} type='error'>${IM_NG}${ERROR}</message>`, target: 'full', addMarker: false },
    { name: 'error with the marker to a bare JID', sender: V2, xml: `<message ${BARE} type='error'>${IM_NG}${ERROR}</message>`, target: 'bare', addMarker: false },
    { name: 'presence to a full JID', sender: LEGACY, xml: `<presence ${FULL}/>`, target: 'full', addMarker: false },
    { name: 'iq to a full JID from 2.0', sender: V2, xml: `<iq ${FULL} type='get' id='p1'><ping xmlns='${NS.ping}'/></iq>`, target: 'full', addMarker: false },
  ])('$name ($sender) → $target', ({ sender, xml, target, addMarker: marker }) => {
    const f = facts(xml, sender);
    const v = effectiveTarget(f);
    expect(v.verdict).toBe(target);
    expect(v.reason).toMatch(/DESIGN §3|RFC 6120/);
    expect(addMarker(f)).toBe(marker);
  });
});
