/**
 * Rosters (RFC 6121 §2) and roster versioning (XEP-0237) with named actors on @xmpp/client:
 * alice.laptop and alice.phone share one roster; alice.tablet comes back with an old version.
 */
import { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { getRoster, receives, received, rosterItems, rosterPush, setRosterItem } from '../support/presence';
import { requireStack } from '../support/stack';

describe('rosters', () => {
  requireStack();
  let concord: RunningConcord;
  let aliceLaptop: ClientDriver;
  let alicePhone: ClientDriver;
  const drivers: ClientDriver[] = [];
  let carol: string;
  let dave: string;
  let erin: string;

  beforeAll(async () => {
    concord = await startConcord('roster');
    await concord.addAccount('alice', 'alice-secret');
    carol = await concord.addAccount('carol', 'carol-secret');
    dave = await concord.addAccount('dave', 'dave-secret');
    erin = await concord.addAccount('erin', 'erin-secret');
    aliceLaptop = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
    alicePhone = await xmppjsOnline(concord, 'alice.phone', 'alice', 'alice-secret');
    drivers.push(aliceLaptop, alicePhone);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.kill()));
    await concord.stop();
  });

  it('a roster set reaches the other session that asked for the roster, as a roster push', async () => {
    await getRoster(alicePhone);
    await setRosterItem(aliceLaptop, carol, { name: 'Carol', groups: ['Friends', 'Work'] });
    const push = await receives(alicePhone, rosterPush(carol), 'alice.phone: the push for carol');
    const item = push.getChild('query', 'jabber:iq:roster')!.getChild('item', 'jabber:iq:roster')!;
    expect(item.attrs).toMatchObject({ jid: carol, name: 'Carol', subscription: 'none' });
    expect(item.getChildren('group', 'jabber:iq:roster').map((g) => g.text()).sort()).toEqual(['Friends', 'Work']);
    const roster = await getRoster(aliceLaptop);
    expect(rosterItems(roster).map((i) => i.attrs['jid'])).toEqual([carol]);
    // The laptop had not asked for the roster when carol was set: it was not an interested
    // resource (RFC 6121 §2.1.6). Its roster answer came after any push it could have got.
    expect(received(aliceLaptop).filter(rosterPush(carol))).toEqual([]);
  });

  it('refuses what RFC 6121 §2.3.3 refuses', async () => {
    const bad = await aliceLaptop.call('iq', { xml: `<iq type='set'><query xmlns='jabber:iq:roster'><item jid='${dave}'><group>A</group><group>A</group></item></query></iq>` });
    expect(bad.ok).toBe(false);
    expect(bad.condition).toBe('bad-request');
    const missing = await aliceLaptop.call('iq', { xml: `<iq type='set'><query xmlns='jabber:iq:roster'><item jid='nobody@${concord.domain}' subscription='remove'/></query></iq>` });
    expect(missing.condition).toBe('item-not-found');
  });

  it('versioning: the same version is an empty result; an older one gets only the changes, removals included', async () => {
    const first = await getRoster(aliceLaptop, '');
    const v1 = first.getChild('query', 'jabber:iq:roster')!.attrs['ver']!;
    expect(v1).toMatch(/^\d+$/);
    expect(rosterItems(first).map((i) => i.attrs['jid'])).toEqual([carol]);

    // Unchanged: an empty result, no query, no pushes.
    const same = await getRoster(aliceLaptop, v1);
    expect(same.getChild('query', 'jabber:iq:roster')).toBeUndefined();

    // Meanwhile on the phone: dave and erin added, carol removed, erin renamed.
    await setRosterItem(alicePhone, dave, { name: 'Dave' });
    await setRosterItem(alicePhone, erin);
    await setRosterItem(alicePhone, carol, { remove: true });
    await setRosterItem(alicePhone, erin, { name: 'Erin' });

    const aliceTablet = await xmppjsOnline(concord, 'alice.tablet', 'alice', 'alice-secret');
    drivers.push(aliceTablet);
    const seen = aliceTablet.events.length;
    const delta = await getRoster(aliceTablet, v1);
    expect(delta.getChild('query', 'jabber:iq:roster')).toBeUndefined();
    const pushes = await receivesPushes(aliceTablet, seen, 3);
    const items = pushes.map((p) => p.getChild('query', 'jabber:iq:roster')!);
    // One push per changed item, oldest change first, each with its version; the last is the roster's.
    expect(items.map((q) => [q.getChild('item')!.attrs['jid'], q.getChild('item')!.attrs['subscription'], q.getChild('item')!.attrs['name']]))
      .toEqual([[dave, 'none', 'Dave'], [carol, 'remove', undefined], [erin, 'none', 'Erin']]);
    const versions = items.map((q) => Number(q.attrs['ver']));
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(versions[0]).toBeGreaterThan(Number(v1));

    // With the newest version: nothing more.
    const latest = String(versions.at(-1));
    const after = aliceTablet.events.length;
    expect((await getRoster(aliceTablet, latest)).getChild('query', 'jabber:iq:roster')).toBeUndefined();
    await aliceTablet.ok('iq', { xml: `<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>` });
    expect(received(aliceTablet, after).filter((s) => s.name === 'iq' && s.attrs['type'] === 'set')).toEqual([]);

    // An unknown version gets the whole roster.
    const full = await getRoster(aliceTablet, 'not-a-version');
    expect(rosterItems(full).map((i) => i.attrs['jid'])).toEqual([dave, erin]);
    expect(full.getChild('query', 'jabber:iq:roster')!.attrs['ver']).toBe(latest);
  });
});

/** Waits until `n` roster pushes arrived after event `since`, and returns them in order. */
async function receivesPushes(d: ClientDriver, since: number, n: number) {
  const isPush = (s: { name: string; attrs: Record<string, string> }) => s.name === 'iq' && s.attrs['type'] === 'set';
  await d.waitFor(() => received(d, since).filter(isPush).length >= n, 10_000, `${n} roster pushes`);
  return received(d, since).filter(isPush);
}
