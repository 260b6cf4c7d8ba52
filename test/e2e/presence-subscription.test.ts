/**
 * RFC 6121 subscriptions and presence between two accounts, with named actors on @xmpp/client
 * over real sockets: alice.laptop, bob.desktop, and carol, who is away when alice asks.
 */
import { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { getRoster, presenceFrom, receives, received, rosterItems, rosterPush, sendPresence } from '../support/presence';
import { requireStack } from '../support/stack';

describe('presence subscriptions', () => {
  requireStack();
  let concord: RunningConcord;
  let aliceLaptop: ClientDriver;
  let bobDesktop: ClientDriver;
  const drivers: ClientDriver[] = [];
  let alice: string;
  let bob: string;
  let carol: string;

  const online = async (name: string, local: string) => {
    const d = await xmppjsOnline(concord, name, local, `${local}-secret`);
    drivers.push(d);
    return d;
  };

  beforeAll(async () => {
    concord = await startConcord('presence');
    alice = await concord.addAccount('alice', 'alice-secret');
    bob = await concord.addAccount('bob', 'bob-secret');
    carol = await concord.addAccount('carol', 'carol-secret');
    [aliceLaptop, bobDesktop] = await Promise.all([online('alice.laptop', 'alice'), online('bob.desktop', 'bob')]);
    for (const d of [aliceLaptop, bobDesktop]) {
      await getRoster(d);
      await sendPresence(d);
      // Initial presence comes back to the session itself (RFC 6121 §4.2.2).
      await receives(d, (s) => s.name === 'presence' && s.attrs['type'] === undefined, 'its own presence');
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.kill()));
    await concord.stop();
  });

  it('subscribe, subscribed: both rosters follow the RFC 6121 states and both see each other', async () => {
    await sendPresence(aliceLaptop, `to='${bob}' type='subscribe'`, '<status>hi, it is alice</status>');
    await receives(aliceLaptop, rosterPush(bob, (i) => i.attrs['subscription'] === 'none' && i.attrs['ask'] === 'subscribe'), 'alice: bob pending out');
    const request = await receives(bobDesktop, presenceFrom(alice, 'subscribe'), 'bob: the request');
    expect(request.attrs['from']).toBe(alice); // the bare JID (RFC 6121 §3.1.2)
    expect(request.getChildText('status')).toBe('hi, it is alice');

    await sendPresence(bobDesktop, `to='${alice}' type='subscribed'`);
    await receives(bobDesktop, rosterPush(alice, (i) => i.attrs['subscription'] === 'from'), 'bob: alice from');
    await receives(aliceLaptop, presenceFrom(bob, 'subscribed'), 'alice: the approval');
    await receives(aliceLaptop, rosterPush(bob, (i) => i.attrs['subscription'] === 'to' && i.attrs['ask'] === undefined), 'alice: bob to');
    await receives(aliceLaptop, presenceFrom(bob), "alice: bob's presence");

    await sendPresence(bobDesktop, `to='${alice}' type='subscribe'`);
    await receives(aliceLaptop, presenceFrom(bob, 'subscribe'), 'alice: the request');
    await sendPresence(aliceLaptop, `to='${bob}' type='subscribed'`);
    await receives(aliceLaptop, rosterPush(bob, (i) => i.attrs['subscription'] === 'both'), 'alice: bob both');
    await receives(bobDesktop, rosterPush(alice, (i) => i.attrs['subscription'] === 'both'), 'bob: alice both');
    await receives(bobDesktop, presenceFrom(alice), "bob: alice's presence");

    // A change of presence now reaches the contact.
    await sendPresence(aliceLaptop, '', '<show>away</show><status>lunch</status>');
    const away = await receives(bobDesktop, presenceFrom(alice, undefined, (s) => s.getChildText('show') === 'away'), "bob: alice's away");
    expect(away.getChildText('status')).toBe('lunch');

    const roster = await getRoster(bobDesktop);
    expect(rosterItems(roster).map((i) => [i.attrs['jid'], i.attrs['subscription']])).toEqual([[alice, 'both']]);
  });

  it('unsubscribe: bob stops seeing alice, and alice learns of it', async () => {
    const seen = bobDesktop.events.length;
    await sendPresence(bobDesktop, `to='${alice}' type='unsubscribe'`);
    await receives(bobDesktop, rosterPush(alice, (i) => i.attrs['subscription'] === 'from'), 'bob: alice from');
    await receives(aliceLaptop, presenceFrom(bob, 'unsubscribe'), 'alice: the unsubscribe');
    await receives(aliceLaptop, rosterPush(bob, (i) => i.attrs['subscription'] === 'to'), 'alice: bob to');
    // Alice's resources go unavailable for bob (RFC 6121 §3.3.3)...
    await receives(bobDesktop, presenceFrom(alice, 'unavailable'), 'bob: alice unavailable');
    // ...and her next presence does not reach him, while bob's still reaches her.
    await sendPresence(aliceLaptop, '', '<show>dnd</show>');
    await sendPresence(bobDesktop, '', '<show>chat</show>');
    await receives(aliceLaptop, presenceFrom(bob, undefined, (s) => s.getChildText('show') === 'chat'), "alice: bob's chat");
    await receives(bobDesktop, presenceFrom(bob, undefined, (s) => s.getChildText('show') === 'chat'), 'bob: his own presence back');
    expect(received(bobDesktop, seen).filter(presenceFrom(alice, undefined, (s) => s.getChildText('show') === 'dnd'))).toEqual([]);
  });

  it('a request to an account that is away is kept and shown at its next login, until answered', async () => {
    await sendPresence(aliceLaptop, `to='${carol}' type='subscribe'`);
    await receives(aliceLaptop, rosterPush(carol, (i) => i.attrs['ask'] === 'subscribe'), 'alice: carol pending out');

    const carolPhone = await online('carol.phone', 'carol');
    expect(rosterItems(await getRoster(carolPhone))).toEqual([]); // pending in is not a roster item
    await sendPresence(carolPhone);
    await receives(carolPhone, presenceFrom(alice, 'subscribe'), 'carol: the request kept for her');
    await carolPhone.ok('stop');

    const carolTablet = await online('carol.tablet', 'carol');
    await sendPresence(carolTablet);
    await receives(carolTablet, presenceFrom(alice, 'subscribe'), 'carol: the request again, not yet answered');
    await sendPresence(carolTablet, `to='${alice}' type='subscribed'`);
    await receives(aliceLaptop, rosterPush(carol, (i) => i.attrs['subscription'] === 'to'), 'alice: carol to');
    await receives(aliceLaptop, presenceFrom(carol), "alice: carol's presence");
  });

  it('a stream closed without unavailable is announced unavailable to the contacts', async () => {
    const carolTablet = drivers.find((d) => d.name === 'carol.tablet')!;
    const since = aliceLaptop.events.length;
    await carolTablet.ok('stop');
    await receives(aliceLaptop, presenceFrom(carol, 'unavailable'), 'alice: carol went away', since);
  });
});
