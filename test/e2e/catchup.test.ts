/**
 * Bind2 catch-up (DESIGN §3.5, §7) while messages keep arriving: bob.tablet reconnects with the
 * last archive ID it holds and ends with exactly the archive's sequence after it — no gap, no
 * duplicate — over real sockets, NATS and Cassandra.
 */
import type { Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { RawClient } from '../support/raw-client';
import { eventually, requireStack } from '../support/stack';


describe('Bind2 catch-up', () => {
  requireStack();
  let concord: RunningConcord;
  let alice: ClientDriver;
  const bob = () => `bob@${concord.domain}`;

  beforeAll(async () => {
    concord = await startConcord('catchup');
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    alice = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
  }, 60_000);

  afterAll(async () => {
    await alice.kill();
    await concord.stop();
  });

  async function send(ids: string[]): Promise<void> {
    for (const id of ids) await alice.ok('send', { xml: `<message to='${bob()}' type='chat' id='${id}'><body>${id}</body></message>` });
  }
  const acked = (ids: string[]) => Promise.all(ids.map((id) => alice.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes(`id="${id}"`), 20_000, `ack of ${id}`)));

  /** bob.tablet: SASL2 + Bind2 with a catch-up request, on a raw socket. */
  async function reconnect(afterId: string, max = 500): Promise<RawClient> {
    const tablet = await RawClient.connect(concord.ports.tcp);
    await tablet.startTls(concord.domain);
    tablet.clear();
    tablet.write(`<authenticate xmlns='urn:xmpp:sasl:2' mechanism='PLAIN'><initial-response>${Buffer.from('\0bob\0bob-secret').toString('base64')}</initial-response>` +
      `<user-agent id='9e5a0c1e-tablet'/><bind xmlns='urn:xmpp:bind:0'><tag>tablet</tag><enable xmlns='urn:xmpp:im-ng:0'/>` +
      `<catchup xmlns='urn:concord:mr2:0' after-id='${afterId}' max='${max}'/></bind></authenticate>`);
    return tablet;
  }

  /** The archive IDs bob.tablet saw, in order: catch-up results, then live stanza-ids. */
  function seenIds(elements: Element[]): string[] {
    const ids: string[] = [];
    for (const e of elements) {
      const result = e.getChild('result', NS.mam);
      if (result) ids.push(result.attrs['id']!);
      else if (e.name === 'message' && !e.getChild('caught-up', NS.concord)) {
        const sid = e.getChildren('stanza-id', NS.sid).find((s) => s.attrs['by'] === bob());
        if (sid) ids.push(sid.attrs['id']!);
      }
    }
    return ids;
  }

  it('replays from the last known ID and joins the live flow without gap or duplicate, repeatedly', async () => {
    const first = Array.from({ length: 10 }, (_, i) => `m${i}`);
    await send(first);
    await acked(first);
    for (let round = 0; round < 3; round++) {
      const rows = await concord.archived(bob());
      const lastKnown = rows[Math.floor(rows.length / 2)]!;
      const racing = Array.from({ length: 20 }, (_, i) => `r${round}-${i}`);
      // Messages keep arriving while bob.tablet reconnects.
      const sending = send(racing);
      const tablet = await reconnect(lastKnown.archiveId);
      await sending;
      await acked(racing);
      const expected = (await concord.archived(bob())).filter((r) => r.position > lastKnown.position).map((r) => r.archiveId);
      const seen = await eventually(async () => {
        const ids = seenIds(tablet.elements());
        return ids.length >= expected.length ? ids : undefined;
      }, 15_000, 'every message on bob.tablet');
      const text = tablet.received;
      expect(text).toMatch(/<catchup xmlns='urn:concord:mr2:0' count='\d+' complete='true'\/>/);
      expect(text).toMatch(/<caught-up xmlns='urn:concord:mr2:0'/);
      expect(seen).toEqual(expected);
      tablet.end();
    }
  });

  it('sends only the newest part, marked incomplete, when more than max is missing', async () => {
    const rows = await concord.archived(bob());
    const tablet = await reconnect(rows[0]!.archiveId, 5);
    await tablet.waitFor(/<caught-up [^>]*\/>/);
    expect(tablet.received).toMatch(/<catchup xmlns='urn:concord:mr2:0' count='5' complete='false'\/>/);
    // <bound> also carries the archive's metadata: its first and last message.
    expect(tablet.received).toContain(`<metadata xmlns='urn:xmpp:mam:2'><start id='${rows[0]!.archiveId}'`);
    expect(tablet.received).toContain(`<end id='${rows.at(-1)!.archiveId}'`);
    expect(seenIds(tablet.elements())).toEqual(rows.slice(-5).map((r) => r.archiveId));
    tablet.end();
  });
});
