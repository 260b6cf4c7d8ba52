/**
 * What arrived while a legacy session was away (DESIGN §3.5), over real sockets, NATS and
 * Cassandra: alice.laptop (slixmpp, RFC 6120 bind of resource "laptop", carbons, Stream
 * Management) goes away and comes back; bob.desktop (@xmpp/client) writes meanwhile, and
 * alice.phone (@xmpp/client, 2.0) too.
 *
 * A replay is over when bob's next message arrives: the live flow is held until the replay is
 * written, so anything replayed comes before it.
 */
import type { Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { slixmppOnline, type ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { received, receives } from '../support/presence';
import { requireStack } from '../support/stack';

describe('legacy sessions get what arrived while they were away', () => {
  requireStack();
  let concord: RunningConcord;
  let bobDesktop: ClientDriver;
  let alicePhone: ClientDriver;
  let aliceLaptop: ClientDriver | undefined;
  let alice: string;
  let bob: string;
  let logins = 0;

  beforeAll(async () => {
    concord = await startConcord('legacyreplay');
    alice = await concord.addAccount('alice', 'alice-secret');
    bob = await concord.addAccount('bob', 'bob-secret');
    bobDesktop = await xmppjsOnline(concord, 'bob.desktop', 'bob', 'bob-secret');
    alicePhone = await xmppjsOnline(concord, 'alice.phone', 'alice', 'alice-secret', { imNg: true, userAgentId: '7c1e-phone' });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([bobDesktop, alicePhone, aliceLaptop].map((d) => d?.kill()));
    await concord.stop();
  });

  /** alice.laptop logs in (again): a new slixmpp process, same resource, carbons, then initial presence. */
  async function laptopLogsIn(): Promise<ClientDriver> {
    await aliceLaptop?.kill();
    aliceLaptop = await slixmppOnline(`alice.laptop (login ${++logins})`, { port: concord.ports.tcp, domain: concord.domain },
      { username: 'alice', password: 'alice-secret', resource: 'laptop', carbons: true, presence: true, rawMessages: true });
    return aliceLaptop;
  }

  const acked = (d: ClientDriver, id: string) => d.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes(`id="${id}"`), 20_000, `ack of ${id}`);
  /** bob writes to alice and waits until it is archived (his ack). */
  async function bobWrites(texts: string[]): Promise<void> {
    for (const t of texts) await bobDesktop.ok('send', { xml: `<message to='${alice}' type='chat' id='${t}'><body>${t}</body></message>` });
    await Promise.all(texts.map((t) => acked(bobDesktop, t)));
  }
  let syncs = 0;
  /** bob's next message has reached alice.laptop: its replay (if any) is complete. */
  async function replayDone(laptop: ClientDriver): Promise<void> {
    const text = `sync-${++syncs}`;
    await bobWrites([text]);
    await receives(laptop, (s) => s.getChildText('body') === text, `alice.laptop: ${text}`);
  }
  /** The body of a message, or of the message a carbon forwards, marked as such. */
  const text = (s: Element): string | undefined => {
    const sent = s.getChild('sent', NS.carbons)?.getChild('forwarded', NS.forward)?.getChild('message', NS.client);
    return sent ? `sent:${sent.getChildText('body')}` : s.getChildText('body');
  };
  const messages = (d: ClientDriver) => received(d).filter((s) => s.name === 'message' && text(s) !== undefined);
  const texts = (d: ClientDriver) => messages(d).map(text).filter((t) => !t!.startsWith('sync-'));
  const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

  it('a first login replays nothing; live messages arrive', async () => {
    await bobWrites(['before-the-first-login']);
    const laptop = await laptopLogsIn();
    await bobWrites(['live-1']);
    await replayDone(laptop);
    expect(texts(laptop)).toEqual(['live-1']);
  });

  it('back with the same resource, it gets exactly the 5 messages that arrived meanwhile, with delay and stanza-id', async () => {
    await aliceLaptop!.ok('stop');
    const away = range('away', 5);
    await bobWrites(away);
    const laptop = await laptopLogsIn();
    await replayDone(laptop);
    expect(texts(laptop)).toEqual(away);
    const archived = (await concord.archived(alice)).filter((r) => !r.outgoing);
    for (const s of messages(laptop).filter((m) => text(m)!.startsWith('away'))) {
      expect(s.getChild('delay', NS.delay)?.attrs['from']).toBe(concord.domain);
      expect(s.getChild('delay', NS.delay)?.attrs['stamp']).toMatch(/^\d{4}-\d\d-\d\dT/);
      const sid = s.getChildren('stanza-id', NS.sid).find((x) => x.attrs['by'] === alice)?.attrs['id'];
      expect(archived.find((r) => r.archiveId === sid)?.stanza).toContain(`<body>${text(s)}</body>`);
    }
  });

  it('messages that keep arriving during its login come once, and what alice sent from her phone comes as a <sent/> carbon', async () => {
    await aliceLaptop!.ok('stop');
    const gone = range('gone', 5);
    await bobWrites(gone);
    await alicePhone.ok('send', { xml: `<message to='${bob}' type='chat' id='from-phone'><body>from the phone</body></message>` });
    await acked(alicePhone, 'from-phone');
    const racing = range('race', 20);
    const sending = bobWrites(racing);
    const laptop = await laptopLogsIn();
    await sending;
    await replayDone(laptop);
    const got = texts(laptop);
    expect([...got].sort()).toEqual([...gone, ...racing, 'sent:from the phone'].sort());
    // The replay is oldest first, and so is the live flow; a message that arrived live between the
    // bind and the initial presence came before the replay (it carries no delay).
    const replayed = messages(laptop).filter((m) => m.getChild('delay', NS.delay) || m.getChild('sent', NS.carbons)).map(text);
    expect(replayed.filter((t) => t!.startsWith('gone'))).toEqual(gone);
    const order = (list: (string | undefined)[]) => list.filter((t) => t!.startsWith('race')).map((t) => racing.indexOf(t!));
    const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! < x);
    expect(ascending(order(replayed))).toBe(true);
    expect(ascending(order(messages(laptop).filter((m) => !m.getChild('delay', NS.delay)).map(text)))).toBe(true);
  });

  it('after a broken connection, nothing is lost and a repeat carries the stanza-id it had', async () => {
    const before = aliceLaptop!;
    await bobWrites(['just-before-the-break']);
    await receives(before, (s) => s.getChildText('body') === 'just-before-the-break', 'alice.laptop: just before the break');
    const seenIds = new Map(messages(before).map((s) => [text(s), s.getChildren('stanza-id', NS.sid).find((x) => x.attrs['by'] === alice)?.attrs['id']]));
    await before.ok('abort');
    const after = range('after-the-break', 3);
    await bobWrites(after);
    const laptop = await laptopLogsIn();
    await replayDone(laptop);
    const got = texts(laptop);
    expect(got.filter((t) => t!.startsWith('after-the-break'))).toEqual(after);
    // What the broken stream had not acknowledged may come again (XEP-0198: not known to be received), never a new copy.
    for (const s of messages(laptop).filter((m) => seenIds.has(text(m)))) {
      expect(s.getChildren('stanza-id', NS.sid).find((x) => x.attrs['by'] === alice)?.attrs['id']).toBe(seenIds.get(text(s)));
    }
    expect(new Set(got).size).toBe(got.length);
  });
});
