import type { SessionRecord } from '@concord/registry';
import { parseElement } from '@concord/xml';
import { NS, carbonCopy, carbonPayload } from '@concord/xmpp';
import { decide } from '../rules';
import { ACTORS, BARE, BODY, COMPOSING, DISPLAYED, ERROR, FULL, LEGACY, PRIVATE, RECEIVED, type Sender, V2, hint, stamped } from '../rules/__fixtures__/stanzas';
import { carbonEligible, carbonTargets } from './carbons';

describe('carbon eligibility (XEP-0280 §6 within DESIGN §3.1)', () => {
  it.each<{ name: string; sender: Sender; xml: string; expected: boolean }>([
    { name: 'persistent chat', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}</message>`, expected: true },
    { name: 'legacy full JID chat, routed as bare', sender: LEGACY, xml: `<message ${FULL} type='chat'>${BODY}</message>`, expected: true },
    { name: 'from a 2.0 session too', sender: V2, xml: `<message ${BARE} type='chat'>${BODY}</message>`, expected: true },
    { name: 'normal with a body', sender: LEGACY, xml: `<message ${BARE}>${BODY}</message>`, expected: true },
    { name: 'normal with a receipt', sender: LEGACY, xml: `<message ${BARE}>${RECEIVED}</message>`, expected: true },
    { name: 'normal with a chat marker', sender: LEGACY, xml: `<message ${BARE}>${DISPLAYED}</message>`, expected: true },
    { name: 'normal without an IM payload', sender: LEGACY, xml: `<message ${BARE}><x xmlns='jabber:x:oob'/></message>`, expected: false },
    { name: 'chat state (not archived): still copied, as XEP-0280 §10.2 intends', sender: LEGACY, xml: `<message ${BARE} type='chat'>${COMPOSING}</message>`, expected: true },
    { name: 'no-store chat', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-store')}</message>`, expected: true },
    { name: '<private/>', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}${PRIVATE}</message>`, expected: false },
    { name: '<no-copy/>', sender: LEGACY, xml: `<message ${BARE} type='chat'>${BODY}${hint('no-copy')}</message>`, expected: false },
    { name: 'full JID ephemeral from 2.0', sender: V2, xml: `<message ${FULL} type='chat'>${BODY}</message>`, expected: false },
    { name: 'error', sender: LEGACY, xml: `<message ${BARE} type='error'>${ERROR}</message>`, expected: false },
    { name: 'headline', sender: LEGACY, xml: `<message ${BARE} type='headline'>${BODY}</message>`, expected: false },
  ])('$name ($sender) → $expected', ({ sender, xml, expected }) => {
    const d = decide(stamped(xml, sender), { imNg: ACTORS[sender].imNg });
    const v = carbonEligible(d.facts, d);
    expect(v.verdict).toBe(expected);
    expect(v.reason).toMatch(/XEP-0280|DESIGN/);
  });
});

describe('carbon targets', () => {
  const session = (resource: string, over: Partial<SessionRecord>) => ({ fullJid: `alice@example.com/${resource}`, imNg: false, carbons: false, ...over }) as SessionRecord;
  it('are the other legacy sessions that enabled carbons', () => {
    const all = [
      session('laptop', { carbons: true }),
      session('tablet', {}),
      session('phone', { imNg: true, carbons: true }),
      session('desk', { carbons: true }),
    ];
    expect(carbonTargets(all, 'alice@example.com/desk').map((s) => s.fullJid)).toEqual(['alice@example.com/laptop']);
  });
});

describe('carbonCopy', () => {
  it('wraps the message for one session, from the bare JID, type kept, jabber:client inside', () => {
    const inner = parseElement(`<message from='alice@example.com/desk' to='bob@example.com' type='chat'>${BODY}</message>`, undefined, NS.client);
    const copy = carbonCopy('sent', 'alice@example.com', 'alice@example.com/laptop', inner);
    expect(copy.toString()).toBe(
      "<message xmlns='jabber:client' from='alice@example.com' to='alice@example.com/laptop' type='chat'><sent xmlns='urn:xmpp:carbons:2'>" +
      "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='alice@example.com/desk' to='bob@example.com' type='chat'>" +
      '<body>Hi Bob</body></message></forwarded></sent></message>');
    expect(carbonPayload(parseElement(copy.toString(), undefined, NS.client))?.getChildText('body')).toBe('Hi Bob');
  });
});
