/**
 * Client State Indication (XEP-0352, DESIGN §3.2) with named actors on @xmpp/client: bob.phone
 * goes inactive while bob.desktop stays active; alice.laptop types, changes presence, reads and
 * finally writes.
 */
import type { Element } from '@concord/xml';
import { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { befriend, getRoster, presenceFrom, receives, received, sendPresence } from '../support/presence';
import { requireStack } from '../support/stack';

const CSI = 'urn:xmpp:csi:0';
const STATES = 'http://jabber.org/protocol/chatstates';

describe('client state indication', () => {
  requireStack();
  let concord: RunningConcord;
  let aliceLaptop: ClientDriver;
  let bobDesktop: ClientDriver;
  let bobPhone: ClientDriver;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    concord = await startConcord('csi');
    alice = await concord.addAccount('alice', 'alice-secret');
    bob = await concord.addAccount('bob', 'bob-secret');
    aliceLaptop = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
    bobDesktop = await xmppjsOnline(concord, 'bob.desktop', 'bob', 'bob-secret');
    bobPhone = await xmppjsOnline(concord, 'bob.phone', 'bob', 'bob-secret');
    for (const d of [aliceLaptop, bobDesktop, bobPhone]) {
      await getRoster(d);
      await sendPresence(d);
    }
    await befriend({ d: aliceLaptop, jid: alice }, { d: bobDesktop, jid: bob });
    await receives(bobPhone, presenceFrom(alice), "bob.phone: alice's presence");
  }, 60_000);

  afterAll(async () => {
    await Promise.all([aliceLaptop, bobDesktop, bobPhone].map((d) => d?.kill()));
    await concord.stop();
  });

  const aliceSends = async (xml: string) => aliceLaptop.ok('send', { xml });
  const chatState = (state: string) => `<message to='${bob}' type='chat'><${state} xmlns='${STATES}'/></message>`;
  const show = (value: string) => `<presence><show>${value}</show></presence>`;
  /** A short name for each stanza: its chat state, show value, receipt/marker id or body. */
  const tag = (s: Element): string => {
    if (s.name === 'presence') return `presence:${s.getChildText('show') ?? 'available'}`;
    const state = s.elements().find((c) => c.xmlns === STATES);
    if (s.getChildText('body')) return `body:${s.getChildText('body')}`;
    const ack = s.elements().find((c) => c.name === 'received' || c.name === 'displayed');
    if (ack) return `${ack.name}:${ack.attrs['id']}`;
    return state ? `state:${state.name}` : s.name;
  };
  /** Alice's stanzas a session got after event `since`, in order. */
  const fromAlice = (d: ClientDriver, since: number) => received(d, since)
    .filter((s) => (s.attrs['from'] ?? '').startsWith(`${alice}/`) && (s.name === 'message' || s.name === 'presence'))
    .map(tag);

  it('holds chat states and presence while inactive; an urgent message flushes them first, in order; going active flushes', async () => {
    await bobPhone.ok('send', { xml: `<inactive xmlns='${CSI}'/>` });
    // The nonza is read before anything sent after it: a ping answered proves it was handled.
    await bobPhone.ok('iq', { xml: `<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>` });
    const phoneSince = bobPhone.events.length;
    const desktopSince = bobDesktop.events.length;

    const held: [string, string][] = [
      [chatState('composing'), 'state:composing'],
      [show('away'), 'presence:away'],
      [`<message to='${bob}'><received xmlns='urn:xmpp:receipts' id='r1'/></message>`, 'received:r1'],
      [chatState('paused'), 'state:paused'],
      [`<message to='${bob}'><displayed xmlns='urn:xmpp:chat-markers:0' id='r1'/></message>`, 'displayed:r1'],
      [show('dnd'), 'presence:dnd'],
      [chatState('composing'), 'state:composing'],
    ];
    // The active desktop gets each one as it comes (presence and messages travel different
    // paths, so each is awaited there before the next: the phone's queue sees them in this order).
    for (const [xml, name] of held) {
      const mark = bobDesktop.events.length;
      await aliceSends(xml);
      await receives(bobDesktop, (s) => tag(s) === name, `bob.desktop: ${name}`, mark);
    }
    expect(fromAlice(bobDesktop, desktopSince)).toEqual(held.map(([, name]) => name));

    // ...the phone, only once something urgent arrives: what was held first (presence coalesced,
    // the last chat state of the conversation, receipts and markers in order), then the message.
    await aliceSends(`<message to='${bob}' type='chat' id='wake'><body>are you there?</body></message>`);
    await receives(bobPhone, (s) => tag(s) === 'body:are you there?', 'bob.phone: the urgent message');
    expect(fromAlice(bobPhone, phoneSince)).toEqual(['received:r1', 'displayed:r1', 'presence:dnd', 'state:composing', 'body:are you there?']);

    // Inactive still: more waits, until the phone says it is active.
    const before = bobPhone.events.length;
    for (const [xml, name] of [[show('xa'), 'presence:xa'], [chatState('paused'), 'state:paused']] as const) {
      const mark = bobDesktop.events.length;
      await aliceSends(xml);
      await receives(bobDesktop, (s) => tag(s) === name, `bob.desktop: ${name}`, mark);
    }
    // A Stream Management round trip (not a stanza, so nothing is flushed) shows the phone got nothing of it yet.
    const smMark = bobPhone.events.length;
    await bobPhone.ok('send', { xml: `<r xmlns='urn:xmpp:sm:3'/>` });
    await bobPhone.waitFor((e) => bobPhone.events.indexOf(e) >= smMark && e.event === 'element' && (e.xml ?? '').startsWith('<a '), 10_000, 'an SM answer');
    expect(fromAlice(bobPhone, before)).toEqual([]);

    await bobPhone.ok('send', { xml: `<active xmlns='${CSI}'/>` });
    await receives(bobPhone, () => fromAlice(bobPhone, before).length === 2, 'bob.phone: both flushed on active', before);
    expect(fromAlice(bobPhone, before)).toEqual(['presence:xa', 'state:paused']);
  });
});
