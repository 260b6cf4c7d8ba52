/**
 * XEP-0280 carbons for legacy sessions (DESIGN §3.1, §7) with named actors over real sockets,
 * NATS and Cassandra: alice.phone (@xmpp/client, a 2.0 session), alice.laptop (slixmpp, legacy,
 * carbons enabled), alice.tablet (slixmpp, legacy, no carbons), bob.desktop (@xmpp/client, legacy).
 *
 * "Nothing arrived" is checked without waiting for time to pass: alice.phone then writes a note
 * to herself, routed after the message in question (same account, same order), and once the
 * note is there everything routed before it has been delivered.
 */
import type { Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { slixmppOnline, type ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { received, receives } from '../support/presence';
import { requireStack } from '../support/stack';

describe('message carbons for legacy sessions', () => {
  requireStack();
  let concord: RunningConcord;
  let alicePhone: ClientDriver;
  let aliceLaptop: ClientDriver;
  let aliceTablet: ClientDriver;
  let bobDesktop: ClientDriver;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    concord = await startConcord('carbons');
    alice = await concord.addAccount('alice', 'alice-secret');
    bob = await concord.addAccount('bob', 'bob-secret');
    const server = { port: concord.ports.tcp, domain: concord.domain };
    alicePhone = await xmppjsOnline(concord, 'alice.phone', 'alice', 'alice-secret', { imNg: true, userAgentId: '0d9a3c52-phone' });
    aliceLaptop = await slixmppOnline('alice.laptop', server, { username: 'alice', password: 'alice-secret', resource: 'laptop', carbons: true, presence: true, rawMessages: true });
    aliceTablet = await slixmppOnline('alice.tablet', server, { username: 'alice', password: 'alice-secret', resource: 'tablet', presence: true, rawMessages: true });
    bobDesktop = await xmppjsOnline(concord, 'bob.desktop', 'bob', 'bob-secret');
  }, 90_000);

  afterAll(async () => {
    await Promise.all([alicePhone, aliceLaptop, aliceTablet, bobDesktop].map((d) => d?.kill()));
    await concord.stop();
  });

  const body = (text: string) => (s: Element) => s.name === 'message' && s.getChildText('body') === text;
  const carbon = (s: Element, kind: 'sent' | 'received') => s.getChild(kind, NS.carbons)?.getChild('forwarded', NS.forward)?.getChild('message', NS.client);
  const sentCarbonOf = (text: string) => (s: Element) => carbon(s, 'sent')?.getChildText('body') === text;
  const mentions = (d: ClientDriver, text: string, since = 0) => received(d, since).some((s) => s.toString().includes(text));
  let notes = 0;
  /** alice.phone writes a note to herself; once alice.laptop and alice.tablet have it, what was routed before it has arrived. */
  async function sync(): Promise<void> {
    const text = `note ${++notes}`;
    await alicePhone.ok('send', { xml: `<message to='${alice}' type='chat'><body>${text}</body></message>` });
    await Promise.all([receives(aliceLaptop, body(text), `alice.laptop: ${text}`), receives(aliceTablet, body(text), `alice.tablet: ${text}`)]);
  }

  it('the server lists urn:xmpp:carbons:2', async () => {
    const info = await bobDesktop.ok<{ xml: string }>('iq', { xml: `<iq type='get' to='${concord.domain}'><query xmlns='${NS.discoInfo}'/></iq>` });
    expect(info.xml).toContain(`var="${NS.carbons}"`);
  });

  it('bob → alice (bare JID): every session of alice gets the message itself, no carbon', async () => {
    await bobDesktop.ok('send', { xml: `<message to='${alice}' type='chat' id='b1'><body>hi alice</body></message>` });
    const got = await Promise.all([alicePhone, aliceLaptop, aliceTablet].map((d) => receives(d, body('hi alice'), `${d.name}: hi alice`)));
    for (const s of got) expect(s.getChildren('stanza-id', NS.sid).some((x) => x.attrs['by'] === alice)).toBe(true);
  });

  it('alice.phone → bob: alice.laptop gets a <sent/> carbon of the archived copy, alice.tablet nothing', async () => {
    const since = aliceTablet.events.length;
    await alicePhone.ok('send', { xml: `<message to='${bob}' type='chat' id='p1'><body>from the phone</body></message>` });
    await receives(bobDesktop, body('from the phone'), 'bob.desktop: from the phone');
    const copy = await receives(aliceLaptop, sentCarbonOf('from the phone'), 'alice.laptop: the carbon');
    expect(copy.attrs).toMatchObject({ from: alice, to: `${alice}/laptop`, type: 'chat' });
    const inner = carbon(copy, 'sent')!;
    expect(inner.attrs['from']).toMatch(new RegExp(`^${alice}/`));
    expect(inner.attrs['to']).toBe(bob);
    expect(inner.getChildren('stanza-id', NS.sid).some((x) => x.attrs['by'] === alice)).toBe(true);
    await sync();
    expect(mentions(aliceTablet, 'from the phone', since)).toBe(false);
  });

  it('alice.tablet (legacy, no carbons) → bob: alice.laptop gets the carbon, alice.phone the archived copy', async () => {
    await aliceTablet.ok('send', { xml: `<message to='${bob}' type='chat' id='t1'><body>from the tablet</body></message>` });
    const copy = await receives(aliceLaptop, sentCarbonOf('from the tablet'), 'alice.laptop: the carbon');
    expect(carbon(copy, 'sent')!.attrs['from']).toBe(`${alice}/tablet`);
    const reflected = await receives(alicePhone, body('from the tablet'), 'alice.phone: the archived copy');
    expect(reflected.attrs).toMatchObject({ from: `${alice}/tablet`, to: bob });
    expect(reflected.getChild('sent', NS.carbons)).toBeUndefined();
  });

  it('a chat state (not archived) is carbon-copied too (XEP-0280 §10.2)', async () => {
    await alicePhone.ok('send', { xml: `<message to='${bob}' type='chat'><composing xmlns='${NS.chatStates}'/></message>` });
    await receives(aliceLaptop, (s) => carbon(s, 'sent')?.getChild('composing', NS.chatStates) !== undefined, 'alice.laptop: the chat state carbon');
  });

  it.each([
    ['private', `<private xmlns='${NS.carbons}'/>`],
    ['no-copy', `<no-copy xmlns='${NS.hints}'/>`],
  ])('<%s/> keeps it from alice.laptop; bob still gets it', async (what, child) => {
    const since = aliceLaptop.events.length;
    const text = `secret with ${what}`;
    await alicePhone.ok('send', { xml: `<message to='${bob}' type='chat'><body>${text}</body>${child}</message>` });
    await receives(bobDesktop, body(text), `bob.desktop: ${text}`);
    await sync();
    expect(mentions(aliceLaptop, text, since)).toBe(false);
  });

  it('a legacy message to one full JID of alice reaches all her sessions as itself, never as a <received/> carbon', async () => {
    await bobDesktop.ok('send', { xml: `<message to='${alice}/tablet' type='chat'><body>locked onto the tablet</body></message>` });
    await Promise.all([alicePhone, aliceLaptop, aliceTablet].map((d) => receives(d, body('locked onto the tablet'), `${d.name}: the message`)));
    expect(received(aliceLaptop).some((s) => carbon(s, 'received') !== undefined)).toBe(false);
  });

  it('a carbon forged by a client is refused and reaches nobody', async () => {
    const since = aliceLaptop.events.length;
    const forged = `<message to='${alice}' type='chat' id='forged-1'><sent xmlns='${NS.carbons}'><forwarded xmlns='${NS.forward}'>` +
      `<message xmlns='${NS.client}' from='${alice}/phone' to='carol@${concord.domain}' type='chat'><body>forged words</body></message></forwarded></sent></message>`;
    await bobDesktop.ok('send', { xml: forged });
    const error = await receives(bobDesktop, (s) => s.attrs['id'] === 'forged-1' && s.attrs['type'] === 'error', 'bob.desktop: the error');
    expect(error.getChild('error')?.getChild('not-acceptable', NS.stanzas)).toBeDefined();
    // bob's next message is routed after the forgery would have been.
    await bobDesktop.ok('send', { xml: `<message to='${alice}' type='chat'><body>after the forgery</body></message>` });
    await receives(aliceLaptop, body('after the forgery'), 'alice.laptop: after the forgery');
    expect(mentions(aliceLaptop, 'forged words', since)).toBe(false);
  });

  it('after <disable/>, alice.laptop gets no carbons', async () => {
    await aliceLaptop.ok('carbons', { enable: false });
    const since = aliceLaptop.events.length;
    await alicePhone.ok('send', { xml: `<message to='${bob}' type='chat'><body>after disable</body></message>` });
    await receives(bobDesktop, body('after disable'), 'bob.desktop: after disable');
    await sync();
    expect(mentions(aliceLaptop, 'after disable', since)).toBe(false);
  });
});
