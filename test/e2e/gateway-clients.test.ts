/**
 * The gateway as real client libraries see it, over real sockets: @xmpp/client over TCP
 * (STARTTLS, SASL2 + Bind2, Stream Management inline) and WebSocket; slixmpp with RFC 6120
 * SASL, resource binding and Stream Management acks.
 */
import { ClientDriver } from '../support/driver';
import { startConcord, type RunningConcord } from '../support/concord';
import { requireStack } from '../support/stack';

describe('gateway with real clients', () => {
  requireStack();
  let concord: RunningConcord;
  const drivers: ClientDriver[] = [];
  const actor = (d: ClientDriver) => (drivers.push(d), d);

  beforeAll(async () => {
    concord = await startConcord('gwclients');
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.kill()));
    await concord.stop();
  });

  it('alice.laptop logs in over TCP with STARTTLS, SASL2, Bind2 and Stream Management', async () => {
    const laptop = actor(ClientDriver.xmppjs('alice.laptop'));
    const r = await laptop.ok<{ jid: string; sm: { enabled: boolean } }>('start', {
      service: `xmpp://127.0.0.1:${concord.ports.tcp}`, domain: concord.domain, username: 'alice', password: 'alice-secret',
    });
    expect(r.jid).toMatch(new RegExp(`^alice@${concord.domain}/.+`));
    expect(r.sm.enabled).toBe(true);

    const info = await laptop.ok<{ xml: string }>('iq', { xml: `<iq type='get' to='${concord.domain}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>` });
    expect(info.xml).toContain("var='urn:xmpp:ping'".replace(/'/g, '"'));
    const ping = await laptop.ok<{ xml: string }>('iq', { xml: `<iq type='get' to='${concord.domain}'><ping xmlns='urn:xmpp:ping'/></iq>` });
    expect(ping.xml).toMatch(/type="result"/);
  });

  it('alice.laptop gets a Stream Management ack for every message once the router has handled it', async () => {
    const laptop = drivers[0]!;
    const n = 20;
    for (let i = 0; i < n; i++) {
      await laptop.ok('send', { xml: `<message to='bob@${concord.domain}' type='chat' id='m${i}'><body>hello ${i}</body></message>` });
    }
    for (let i = 0; i < n; i++) {
      await laptop.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes(`id="m${i}"`), 15_000, `ack of m${i}`);
    }
  });

  it('an IQ to another account that nobody can answer gets <service-unavailable/>', async () => {
    const laptop = drivers[0]!;
    const r = await laptop.call('iq', { xml: `<iq type='get' to='bob@${concord.domain}'><vCard xmlns='vcard-temp'/></iq>` });
    expect(r.ok).toBe(false);
    expect(r.condition).toBe('service-unavailable');
  });

  it('alice.phone logs in over WebSocket', async () => {
    const phone = actor(ClientDriver.xmppjs('alice.phone'));
    const r = await phone.ok<{ jid: string }>('start', {
      service: `ws://127.0.0.1:${concord.ports.ws}/xmpp-websocket`, domain: concord.domain, username: 'alice', password: 'alice-secret',
    });
    expect(r.jid).toMatch(new RegExp(`^alice@${concord.domain}/`));
    const ping = await phone.ok<{ xml: string }>('iq', { xml: `<iq type='get' to='${concord.domain}'><ping xmlns='urn:xmpp:ping'/></iq>` });
    expect(ping.xml).toMatch(/type="result"/);
  });

  it('alice.tablet loses her network and @xmpp/client resumes the stream inline in SASL2', async () => {
    const tablet = actor(ClientDriver.xmppjs('alice.tablet'));
    const r = await tablet.ok<{ jid: string }>('start', {
      service: `xmpp://127.0.0.1:${concord.ports.tcp}`, domain: concord.domain, username: 'alice', password: 'alice-secret', reconnect: true,
    });
    await tablet.ok('send', { xml: `<message to='bob@${concord.domain}' type='chat' id='before'><body>before</body></message>` });
    await tablet.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="before"'), 15_000, 'the ack before');
    await tablet.ok('disconnect');
    await tablet.waitFor((e) => e.event === 'resumed', 15_000, 'the resumption');
    await tablet.ok('send', { xml: `<message to='bob@${concord.domain}' type='chat' id='after'><body>after</body></message>` });
    await tablet.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="after"'), 15_000, 'the ack after');
    // Same session (same full JID) after resumption.
    const ping = await tablet.ok<{ xml: string }>('iq', { xml: `<iq type='get' to='${concord.domain}'><ping xmlns='urn:xmpp:ping'/></iq>` });
    expect(ping.xml).toContain(`to="${r.jid}"`);
  });

  it('a wrong password is refused with not-authorized', async () => {
    const mallory = actor(ClientDriver.xmppjs('mallory'));
    const r = await mallory.call('start', { service: `xmpp://127.0.0.1:${concord.ports.tcp}`, domain: concord.domain, username: 'alice', password: 'wrong' });
    expect(r.ok).toBe(false);
    expect(r.condition).toBe('not-authorized');
  });

  it('bob.desktop (slixmpp) binds a resource the RFC 6120 way and gets acks', async () => {
    const desktop = actor(ClientDriver.slixmpp('bob.desktop'));
    const r = await desktop.ok<{ jid: string; sm: { enabled: boolean } }>('start', {
      host: '127.0.0.1', port: concord.ports.tcp, domain: concord.domain, username: 'bob', password: 'bob-secret', resource: 'desktop',
    });
    expect(r.jid).toBe(`bob@${concord.domain}/desktop`);
    expect(r.sm.enabled).toBe(true);
    // slixmpp writes its <r/> just before the stanza that triggered it, so the ack of b1
    // answers the request that b2 brings along.
    for (const id of ['b1', 'b2']) {
      await desktop.ok('send', { xml: `<message xmlns='jabber:client' to='alice@${concord.domain}' type='chat' id='${id}'><body>hi</body></message>` });
    }
    await desktop.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="b1"'), 15_000, 'the ack of b1');
  });
});
