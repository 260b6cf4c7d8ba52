import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { extractFacts } from './facts';
import { persistence } from './persistence';
import { urgency, type Urgency } from './urgency';

// alice sends from alice.phone (a 2.0 session) or alice.laptop (legacy); bob is the recipient.
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
const hint = (name: string) => `<${name} xmlns='${NS.hints}'/>`;
const high = `<urgency xmlns='${NS.concord}' level='high'/>`;
const low = `<urgency xmlns='${NS.concord}' level='low'/>`;
const COMPOSING = `<composing xmlns='${NS.chatStates}'/>`;
const RECEIVED = `<received xmlns='${NS.receipts}' id='m1'/>`;
const DISPLAYED = `<displayed xmlns='${NS.markers}' id='m1'/>`;
const ERROR = `<error type='cancel'><service-unavailable xmlns='${NS.stanzas}'/></error>`;

describe('urgency (DESIGN §3.2)', () => {
  it.each<{ name: string; sender: Sender; xml: string; expected: Urgency }>([
    { name: 'persistent bare JID chat', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}</message>`, expected: 'urgent' },
    { name: 'persistent chat with a receipt request', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}<request xmlns='${NS.receipts}'/></message>`, expected: 'urgent' },
    { name: 'legacy full JID chat, routed as bare', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}</message>`, expected: 'urgent' },
    { name: 'ephemeral full JID chat from 2.0', sender: V2, xml: `<message ${FULL} type='chat'>${BODY}</message>`, expected: 'normal' },
    { name: 'ephemeral bare + <no-store/>', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-store')}</message>`, expected: 'normal' },
    { name: 'high hint raises an ephemeral message', sender: V2, xml: `<message ${FULL} type='chat'>${BODY}${high}</message>`, expected: 'urgent' },
    { name: 'high hint raises a no-store message', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-store')}${high}</message>`, expected: 'urgent' },
    { name: 'low hint lowers a persistent message', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}${low}</message>`, expected: 'normal' },
    { name: 'receipt is never urgent', sender: V2, xml: `<message ${BARE} type='chat'>${RECEIVED}</message>`, expected: 'normal' },
    { name: 'receipt stays normal even with the high hint', sender: V2, xml: `<message ${BARE} type='chat'>${RECEIVED}${high}</message>`, expected: 'normal' },
    { name: 'marker is never urgent', sender: LEGACY, xml: `<message ${BARE} type='chat'>${DISPLAYED}</message>`, expected: 'normal' },
    { name: 'chat state is never urgent', sender: V2, xml: `<message ${BARE} type='chat'>${COMPOSING}</message>`, expected: 'normal' },
    { name: 'chat state forced persistent by <store/> is still not urgent', sender: V2, xml: `<message ${BARE} type='chat'>${COMPOSING}${hint('store')}</message>`, expected: 'normal' },
    { name: 'headline is never urgent', sender: V2, xml: `<message ${BARE} type='headline'>${BODY}</message>`, expected: 'normal' },
    { name: 'headline stays normal with the high hint', sender: V2, xml: `<message ${BARE} type='headline'>${BODY}${high}</message>`, expected: 'normal' },
    { name: 'error is ephemeral, so not urgent', sender: LEGACY, xml: `<message ${FULL} type='error'>${ERROR}</message>`, expected: 'normal' },
    { name: 'error raised by the high hint', sender: V2, xml: `<message ${FULL} type='error'>${ERROR}${high}</message>`, expected: 'urgent' },
    { name: 'groupchat: mentions and preferences decide, not this rule', sender: V2, xml: `<message to='garden@rooms.example.com' type='groupchat'>${BODY}${high}</message>`, expected: 'normal' },
    { name: 'presence waits in the CSI queue', sender: V2, xml: `<presence ${BARE} type='subscribe'/>`, expected: 'normal' },
    { name: 'iq is never held back', sender: V2, xml: `<iq ${FULL} type='get' id='p1'><ping xmlns='${NS.ping}'/></iq>`, expected: 'urgent' },
  ])('$name ($sender) → $expected', ({ sender, xml, expected }) => {
    const f = facts(xml, sender);
    const v = urgency(f, persistence(f).verdict);
    expect(v.verdict).toBe(expected);
    expect(v.reason).toMatch(/DESIGN §3/);
  });
});
