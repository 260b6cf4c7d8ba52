/**
 * Probes at login and directed presence (RFC 6121 §4.3, §4.6) with named actors on
 * @xmpp/client: alice and bob are contacts; dave is not, and alice.phone shows herself to him.
 */
import { ClientDriver } from '../support/driver';
import { startConcord, type RunningConcord } from '../support/concord';
import { befriend, getRoster, presenceFrom, receives, received, sendPresence } from '../support/presence';
import { requireStack } from '../support/stack';

describe('probes and directed presence', () => {
  requireStack();
  let concord: RunningConcord;
  const drivers: ClientDriver[] = [];
  let aliceLaptop: ClientDriver;
  let bobDesktop: ClientDriver;
  let daveDesktop: ClientDriver;
  let alice: string;
  let bob: string;
  let dave: string;

  /** Full JIDs of the sessions, by actor name. */
  const jids = new Map<string, string>();
  const online = async (name: string, local: string) => {
    const d = ClientDriver.xmppjs(name);
    drivers.push(d);
    const { jid } = await d.ok<{ jid: string }>('start', { service: `xmpp://127.0.0.1:${concord.ports.tcp}`, domain: concord.domain, username: local, password: `${local}-secret` });
    jids.set(name, jid);
    await getRoster(d);
    return d;
  };
  const jid = (name: string) => jids.get(name)!;

  beforeAll(async () => {
    concord = await startConcord('directed');
    alice = await concord.addAccount('alice', 'alice-secret');
    bob = await concord.addAccount('bob', 'bob-secret');
    dave = await concord.addAccount('dave', 'dave-secret');
    aliceLaptop = await online('alice.laptop', 'alice');
    bobDesktop = await online('bob.desktop', 'bob');
    daveDesktop = await online('dave.desktop', 'dave');
    for (const d of [aliceLaptop, bobDesktop, daveDesktop]) await sendPresence(d);
    await befriend({ d: aliceLaptop, jid: alice }, { d: bobDesktop, jid: bob });
    await sendPresence(bobDesktop, '', '<show>chat</show><status>at my desk</status>');
    await receives(aliceLaptop, presenceFrom(bob, undefined, (s) => s.getChildText('status') === 'at my desk'), "alice: bob's status");
  }, 60_000);

  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.kill()));
    await concord.stop();
  });

  it("a new session's initial presence gets the contacts' and its own other sessions' current presence", async () => {
    const alicePhone = await online('alice.phone', 'alice');
    await sendPresence(alicePhone);
    const fromBob = await receives(alicePhone, presenceFrom(bob), "alice.phone: bob's presence");
    expect(fromBob.getChildText('status')).toBe('at my desk');
    expect(fromBob.attrs['to']).toMatch(new RegExp(`^${alice}/`));
    await receives(alicePhone, presenceFrom(jid('alice.laptop')), "alice.phone: alice.laptop's presence");
    // ...and the laptop sees the phone come online (the account's own sessions, RFC 6121 §4.2.2).
    await receives(aliceLaptop, presenceFrom(jid('alice.phone')), "alice.laptop: alice.phone's presence");
  });

  it('directed presence reaches a non-contact, who learns when the session ends', async () => {
    const alicePhone = drivers.find((d) => d.name === 'alice.phone')!;
    await sendPresence(alicePhone, `to='${dave}'`, '<status>for dave</status>');
    await receives(daveDesktop, presenceFrom(jid('alice.phone'), undefined, (s) => s.getChildText('status') === 'for dave'), 'dave: directed presence');
    // Dave is nobody's contact: of alice he has only what was directed to him. The presence
    // service handles alice's stanzas in order, so her initial presence was decided before this.
    expect(received(daveDesktop).filter(presenceFrom(alice)).map((s) => s.getChildText('status'))).toEqual(['for dave']);
    // A broadcast does not reach dave...
    const since = daveDesktop.events.length;
    await sendPresence(alicePhone, '', '<show>away</show>');
    await receives(bobDesktop, presenceFrom(jid('alice.phone'), undefined, (s) => s.getChildText('show') === 'away'), 'bob: the broadcast');
    // ...but the end of the session does (RFC 6121 §4.6.3), and bob's too.
    await alicePhone.ok('stop');
    await receives(daveDesktop, presenceFrom(jid('alice.phone'), 'unavailable'), 'dave: alice.phone gone', since);
    await receives(bobDesktop, presenceFrom(jid('alice.phone'), 'unavailable'), 'bob: alice.phone gone');
    expect(received(daveDesktop, since).filter(presenceFrom(jid('alice.phone'), undefined))).toEqual([]);
  });

  it('a probe is answered only for contacts', async () => {
    const aliceSince = aliceLaptop.events.length;
    await sendPresence(aliceLaptop, `to='${bob}' type='probe'`);
    await receives(aliceLaptop, presenceFrom(jid('bob.desktop'), undefined, (s) => s.getChildText('status') === 'at my desk'), "alice: bob's presence again", aliceSince);

    const daveSince = daveDesktop.events.length;
    await sendPresence(daveDesktop, `to='${alice}' type='probe'`);
    // Dave's presence after it comes back to him after the probe is handled (one account's
    // presence is handled in order): by then any answer would have come.
    await sendPresence(daveDesktop, '', '<status>after the probe</status>');
    await receives(daveDesktop, presenceFrom(jid('dave.desktop'), undefined, (s) => s.getChildText('status') === 'after the probe'), 'dave: his own presence', daveSince);
    expect(received(daveDesktop, daveSince).filter(presenceFrom(alice))).toEqual([]);
  });
});
