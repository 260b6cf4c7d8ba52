import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { extractFacts } from './facts';
import { persistence } from './persistence';
import { reflection, type Reflection } from './reflection';

// alice sends from alice.phone (a 2.0 session) or alice.laptop (legacy); the question is what
// her other sessions (alice.tablet, 2.0; alice.desktop, legacy) get.
const ACTORS = {
  'alice.phone (2.0)': { jid: 'alice@example.com/phone', imNg: true },
  'alice.laptop (legacy)': { jid: 'alice@example.com/laptop', imNg: false },
} as const;
type Sender = keyof typeof ACTORS;
const V2: Sender = 'alice.phone (2.0)';
const LEGACY: Sender = 'alice.laptop (legacy)';
/** The facts of a stanza as the router receives it: parsed, with `from` stamped by the gateway. */
function facts(xml: string, sender: Sender) {
  const stanza = parseElement(xml, undefined, NS.client);
  stanza.attrs['from'] = ACTORS[sender].jid;
  return extractFacts(stanza, { imNg: ACTORS[sender].imNg });
}

const BARE = "to='bob@example.com'";
const FULL = "to='bob@example.com/desktop'";
const BODY = '<body>Hi Bob</body>';
const IM_NG = `<im-ng xmlns='${NS.imNg}'/>`;
const hint = (name: string) => `<${name} xmlns='${NS.hints}'/>`;
const PRIVATE = `<private xmlns='${NS.carbons}'/>`;
const COMPOSING = `<composing xmlns='${NS.chatStates}'/>`;
const RECEIVED = `<received xmlns='${NS.receipts}' id='m1'/>`;
const DISPLAYED = `<displayed xmlns='${NS.markers}' id='m1'/>`;
const ERROR = `<error type='cancel'><service-unavailable xmlns='${NS.stanzas}'/></error>`;

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
