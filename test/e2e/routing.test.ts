/**
 * Routing with named actors over real sockets, NATS and Cassandra (DESIGN §3, §4):
 * alice.laptop (@xmpp/client, SASL2/Bind2), bob.desktop (slixmpp, RFC 6120 bind), bob.phone
 * (@xmpp/client over WebSocket).
 */
import { predictedArchiveId } from '@concord/xmpp';
import { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { requireStack } from '../support/stack';

describe('routing between accounts', () => {
  requireStack();
  let concord: RunningConcord;
  let aliceLaptop: ClientDriver;
  let bobDesktop: ClientDriver;
  let bobPhone: ClientDriver;
  const LAPTOP_ID = '5f1c2f4e-0d7a-4a58-9c1b-6a1f5d9e2b10';

  beforeAll(async () => {
    concord = await startConcord('routing');
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    aliceLaptop = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret', { userAgentId: LAPTOP_ID });
    bobDesktop = ClientDriver.slixmpp('bob.desktop');
    bobPhone = ClientDriver.xmppjs('bob.phone');
    await bobDesktop.ok('start', { host: '127.0.0.1', port: concord.ports.tcp, domain: concord.domain, username: 'bob', password: 'bob-secret', resource: 'desktop' });
    await bobPhone.ok('start', { service: `ws://127.0.0.1:${concord.ports.ws}/xmpp-websocket`, domain: concord.domain, username: 'bob', password: 'bob-secret' });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([aliceLaptop, bobDesktop, bobPhone].map((d) => d?.kill()));
    await concord.stop();
  });

  const received = (d: ClientDriver, body: string) =>
    d.waitFor((e) => e.event === 'element' && (e.xml ?? '').includes(`<body>${body}</body>`), 10_000, `message "${body}"`);

  it('a chat message to a bare JID reaches every session of bob, archived for both, and alice is acked', async () => {
    const bob = `bob@${concord.domain}`;
    const alice = `alice@${concord.domain}`;
    await aliceLaptop.ok('send', { xml: `<message to='${bob}' type='chat' id='hello-1'><body>hello bob</body></message>` });
    const [onDesktop, onPhone] = await Promise.all([received(bobDesktop, 'hello bob'), received(bobPhone, 'hello bob')]);
    for (const e of [onDesktop, onPhone]) expect(e.xml).toMatch(new RegExp(`<stanza-id[^>]*by=["']${bob}["']`));
    await aliceLaptop.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="hello-1"'), 10_000, 'the ack');

    // The sender's copy is at the ID the client can compute (DESIGN §7).
    const predicted = predictedArchiveId(alice, LAPTOP_ID, 'hello-1');
    const aliceRows = await concord.archived(alice);
    expect(aliceRows.map((r) => r.archiveId)).toContain(predicted);
    const bobRows = await concord.archived(bob);
    expect(bobRows).toHaveLength(1);
    expect(bobRows[0]!.outgoing).toBe(false);
    expect(onPhone.xml).toContain(bobRows[0]!.archiveId);
  });

  it('alice pages through her archive with XEP-0313 (RSM after, empty before, flip-page) and finds every acked message', async () => {
    const bob = `bob@${concord.domain}`;
    const alice = `alice@${concord.domain}`;
    const info = await aliceLaptop.ok<{ xml: string }>('iq', { xml: `<iq type='get' to='${alice}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>` });
    expect(info.xml).toContain('urn:xmpp:mam:2');
    for (let i = 0; i < 5; i++) await aliceLaptop.ok('send', { xml: `<message to='${bob}' type='chat' id='page-${i}'><body>page ${i}</body></message>` });
    for (let i = 0; i < 5; i++) await aliceLaptop.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes(`id="page-${i}"`), 10_000, `ack ${i}`);
    const all = (await concord.archived(alice)).map((r) => r.archiveId);
    const query = (qid: string, rsm: string, extra = '') => aliceLaptop.ok<{ xml: string }>('iq', {
      xml: `<iq type='set'><query xmlns='urn:xmpp:mam:2' queryid='${qid}'>${extra}<set xmlns='http://jabber.org/protocol/rsm'>${rsm}</set></query></iq>`,
    });
    const results = (qid: string) => aliceLaptop.events.filter((e) => e.event === 'element' && (e.xml ?? '').includes(`queryid="${qid}"`) && (e.xml ?? '').includes('<result'))
      .map((e) => /<result[^>]* id="([^"]+)"/.exec(e.xml!)![1]!);

    const first = await query('q1', '<max>3</max>');
    expect(first.xml).not.toContain('complete="true"');
    expect(results('q1')).toEqual(all.slice(0, 3));
    const rest = await query('q2', `<max>100</max><after>${all[2]}</after>`);
    expect(rest.xml).toContain('complete="true"');
    expect(results('q2')).toEqual(all.slice(3));
    await query('q3', '<max>2</max><before/>');
    expect(results('q3')).toEqual(all.slice(-2));
    await query('q4', '<max>2</max><before/>', '<flip-page/>');
    expect(results('q4')).toEqual(all.slice(-2).reverse());
    const unknown = await aliceLaptop.call('iq', { xml: `<iq type='set'><query xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><after>nope</after></set></query></iq>` });
    expect(unknown.condition).toBe('item-not-found');
  });

  it('a legacy client\'s chat to a full JID without the marker is routed as to the bare JID (transition logic)', async () => {
    await aliceLaptop.ok('send', { xml: `<message to='bob@${concord.domain}/desktop' type='chat' id='locked-1'><body>to your desktop</body></message>` });
    await Promise.all([received(bobDesktop, 'to your desktop'), received(bobPhone, 'to your desktop')]);
  });

  it('with the im-ng marker, a full-JID message is ephemeral: that session only, not archived', async () => {
    const before = (await concord.archived(`bob@${concord.domain}`)).length;
    await aliceLaptop.ok('send', { xml: `<message to='bob@${concord.domain}/desktop' type='chat' id='eph-1'><body>just for the desktop</body><im-ng xmlns='urn:xmpp:im-ng:0'/></message>` });
    await received(bobDesktop, 'just for the desktop');
    await aliceLaptop.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="eph-1"'), 10_000, 'the ack');
    expect(bobPhone.events.some((e) => (e.xml ?? '').includes('just for the desktop'))).toBe(false);
    expect(await concord.archived(`bob@${concord.domain}`)).toHaveLength(before);
  });

  it('an ephemeral message to a resource that is not online gets <service-unavailable/>, like a missing account', async () => {
    for (const to of [`bob@${concord.domain}/nowhere`, `nobody@${concord.domain}/x`]) {
      await aliceLaptop.ok('send', { xml: `<message to='${to}' type='chat' id='probe-${to.length}'><body>anyone?</body><im-ng xmlns='urn:xmpp:im-ng:0'/></message>` });
      const err = await aliceLaptop.waitFor((e) => e.event === 'element' && (e.xml ?? '').includes(`id="probe-${to.length}"`) && (e.xml ?? '').includes('type="error"'), 10_000, 'the error');
      expect(err.xml).toContain('<service-unavailable');
    }
  });

  it('a re-send of the same origin-id from the same client on a new stream is acked again, not archived or delivered again', async () => {
    // alice.laptop comes back on a new stream (same device identity, so the same resource).
    await aliceLaptop.ok('stop');
    const again = ClientDriver.xmppjs('alice.laptop (new stream)');
    try {
      await again.ok('start', { service: `xmpp://127.0.0.1:${concord.ports.tcp}`, domain: concord.domain, username: 'alice', password: 'alice-secret', userAgentId: LAPTOP_ID });
      const rowsBefore = (await concord.archived(`alice@${concord.domain}`)).length;
      await again.ok('send', { xml: `<message to='bob@${concord.domain}' type='chat' id='hello-1'><body>hello bob</body></message>` });
      await again.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="hello-1"'), 10_000, 'the ack of the re-send');
      // A later message from the same stream arrives after it would have: the re-send was not delivered.
      await again.ok('send', { xml: `<message to='bob@${concord.domain}' type='chat' id='after-resend'><body>after the re-send</body></message>` });
      await again.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="after-resend"'), 10_000, 'the ack after the re-send');
      await received(bobPhone, 'after the re-send');
      expect(bobPhone.events.filter((e) => (e.xml ?? '').includes('<body>hello bob</body>'))).toHaveLength(1);
      expect(await concord.archived(`alice@${concord.domain}`)).toHaveLength(rowsBefore + 1);
    } finally {
      await again.kill();
    }
  });

  it('two copies of one message racing on two streams of the same client are archived once, delivered once, and both acked', async () => {
    // Same device identity, two bind tags: two live streams whose messages share predicted IDs.
    const [one, two] = [ClientDriver.xmppjs('alice.laptop (tab 1)'), ClientDriver.xmppjs('alice.laptop (tab 2)')];
    try {
      const start = (d: ClientDriver, tag: string) => d.ok('start', { service: `xmpp://127.0.0.1:${concord.ports.tcp}`, domain: concord.domain, username: 'alice', password: 'alice-secret', userAgentId: LAPTOP_ID, resource: tag });
      await Promise.all([start(one, 'tab1'), start(two, 'tab2')]);
      const rowsBefore = (await concord.archived(`alice@${concord.domain}`)).length;
      const xml = `<message to='bob@${concord.domain}' type='chat' id='race-1'><body>only once</body><origin-id xmlns='urn:xmpp:sid:0' id='race-1'/></message>`;
      await Promise.all([one.ok('send', { xml }), two.ok('send', { xml })]);
      const acked = (d: ClientDriver) => d.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="race-1"'), 15_000, 'the ack of race-1');
      await Promise.all([acked(one), acked(two)]);
      await one.ok('send', { xml: `<message to='bob@${concord.domain}' type='chat' id='after-race'><body>after the race</body></message>` });
      await received(bobPhone, 'after the race');
      expect(bobPhone.events.filter((e) => (e.xml ?? '').includes('<body>only once</body>'))).toHaveLength(1);
      expect(await concord.archived(`alice@${concord.domain}`)).toHaveLength(rowsBefore + 2);
    } finally {
      await Promise.all([one.kill(), two.kill()]);
    }
  });
});
