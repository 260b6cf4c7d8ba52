/**
 * What a client puts inside a message, over real sockets: whatever the gateway accepted is
 * stored and served back readable (live, and in both accounts' archives), and archive IDs a
 * client forges for this server's entities never survive (XEP-0359 §3.1).
 */
import { startConcord, type RunningConcord } from '../support/concord';
import { RawClient } from '../support/raw-client';
import { requireStack } from '../support/stack';

const SID = 'urn:xmpp:sid:0';

/** The client's whole archive, up to 100 results, as the text of the answer. */
async function archiveOf(c: RawClient, queryid: string): Promise<string> {
  c.clear();
  c.send(`<iq type='set' id='${queryid}'><query xmlns='urn:xmpp:mam:2' queryid='${queryid}'><set xmlns='http://jabber.org/protocol/rsm'><max>100</max></set></query></iq>`);
  return c.waitFor(new RegExp(`<iq[^>]*id=['"]${queryid}['"][^>]*>`), 10_000);
}

describe('gateway with what clients put in messages', () => {
  requireStack();
  let concord: RunningConcord;
  let alice: RawClient;
  let bob: RawClient;

  beforeAll(async () => {
    concord = await startConcord('gwcontent', {
      // Small enough for a test to reach; sending fast enough to reach it.
      CONCORD_GATEWAY_MAX_OUTBOUND_BYTES: String(1 << 20),
      CONCORD_GATEWAY_SLOW_READER_TIMEOUT: '2s',
      CONCORD_GATEWAY_BYTES_PER_SECOND: String(64 << 20),
      CONCORD_GATEWAY_STANZAS_PER_SECOND: '1000',
      CONCORD_GATEWAY_SM_MAX_QUEUE_BYTES: String(1 << 20),
    });
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    await concord.addAccount('carol', 'carol-secret');
    await concord.addAccount('dave', 'dave-secret');
    alice = await RawClient.connect(concord.ports.tcp);
    await alice.login(concord.domain, 'alice', 'alice-secret', 'laptop');
    // Acks (archived) tell the tests when the archives hold what was sent.
    await alice.enableSm();
    bob = await RawClient.connect(concord.ports.tcp);
    await bob.login(concord.domain, 'bob', 'bob-secret', 'phone');
  }, 60_000);

  afterAll(async () => {
    alice?.end();
    bob?.end();
    await concord.stop();
  });

  it('serves a message nested as deep as clients may send, live and from both archives', async () => {
    // 29 levels inside the message: within the client limit (32), deeper than it once the
    // server wraps it in a MAM result.
    const deep = `${"<x xmlns='urn:x'>".repeat(29)}deep-one${'</x>'.repeat(29)}`;
    bob.clear();
    alice.send(`<message to='bob@${concord.domain}' type='chat' id='deep-1'><body>deep</body>${deep}</message>`);
    const live = await bob.waitFor(/deep-one[\s\S]*<\/message>/, 10_000);
    expect(live).not.toMatch(/<stream:error/);
    await alice.allAcked();
    for (const [c, q] of [[alice, 'qa'], [bob, 'qb']] as const) {
      const answer = await archiveOf(c, q);
      expect(answer).toMatch(new RegExp(`<iq[^>]*id=['"]${q}['"][^>]*type=['"]result['"]|<iq[^>]*type=['"]result['"][^>]*id=['"]${q}['"]`));
      expect(answer).toContain('deep-one');
    }
    // Later messages are served as well.
    bob.clear();
    alice.send(`<message to='bob@${concord.domain}' type='chat' id='after-1'><body>after the deep one</body></message>`);
    await bob.waitFor(/after the deep one/, 10_000);
    await alice.allAcked();
    expect(await archiveOf(bob, 'qb2')).toContain('after the deep one');
  });

  it('strips stanza-ids a client forges for this server, in any case, keeps those of other servers', async () => {
    const forged = (by: string, id: string) => `<stanza-id xmlns='${SID}' by='${by}' id='${id}'/>`;
    bob.clear();
    alice.send(`<message to='bob@${concord.domain}' type='chat' id='forge-1'><body>forged ids</body>` +
      `${forged(`bob@${concord.domain}`, 'FORGED-BOB')}${forged(`ALICE@${concord.domain.toUpperCase()}`, 'FORGED-ALICE')}` +
      `${forged(concord.domain, 'FORGED-DOMAIN')}${forged('elsewhere.example', 'KEPT-REMOTE')}</message>`);
    const live = await bob.waitFor(/forged ids[\s\S]*?<\/message>/, 10_000);
    await alice.allAcked();
    for (const text of [live, await archiveOf(alice, 'fa'), await archiveOf(bob, 'fb')]) {
      expect(text).toContain('forged ids');
      expect(text).not.toMatch(/FORGED-/);
      expect(text).toContain('KEPT-REMOTE');
    }
  });

  it.each([
    ['a MAM query', (to: string) => `<iq type='set' id='v' to='${to}'><query xmlns='urn:xmpp:mam:2' queryid='v'/></iq>`],
    ['a roster get', (to: string) => `<iq type='get' id='v' to='${to}'><query xmlns='jabber:iq:roster'/></iq>`],
    ['a disco#info', (to: string) => `<iq type='get' id='v' to='${to}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`],
  ])('answers %s to its own JID written in another case or width', async (_what, iq) => {
    for (const to of [`alice@${concord.domain}`, `ALICE@${concord.domain.toUpperCase()}`, `Ａｌｉｃｅ@${concord.domain}`]) {
      alice.clear();
      alice.send(iq(to));
      const answer = await alice.waitFor(/<iq[^>]*id=['"]v['"][^>]*>/, 10_000);
      expect(answer).toMatch(/<iq[^>]*type=['"]result['"]/);
    }
  });

  it('ends the stream of a client that never reads, and the messages stay in its archive', async () => {
    const carol = await RawClient.connect(concord.ports.tcp);
    await carol.login(concord.domain, 'carol', 'carol-secret', 'stuck');
    carol.stopReading();
    const big = 'b'.repeat(100_000);
    const stuck = () => concord.gateway.ctx.sessions.byFullJid(`carol@${concord.domain}/stuck`);
    // Batches until the gateway has ended carol's session: the kernel's socket buffers take
    // several megabytes before anything waits in the gateway. Each batch is archived (and so
    // routed to carol) before the next.
    let sent = 0;
    while (stuck() && sent < 1_000) {
      for (let i = 0; i < 20; i++, sent++) alice.send(`<message to='carol@${concord.domain}' type='chat' id='big-${sent}'><body>${sent} ${big}</body></message>`);
      await alice.allAcked();
    }
    expect(stuck()).toBeUndefined();
    carol.resumeReading();
    await carol.waitClosed(10_000);
    // What carol missed is in her archive, and she can log in again.
    expect((await concord.archived(`carol@${concord.domain}`)).length).toBe(sent);
    const again = await RawClient.connect(concord.ports.tcp);
    await again.login(concord.domain, 'carol', 'carol-secret', 'back');
    again.end();
  }, 120_000);

  it('ends the stream of a client that reads but never acknowledges once its unacknowledged stanzas pass the byte bound', async () => {
    const dave = await RawClient.connect(concord.ports.tcp);
    await dave.login(concord.domain, 'dave', 'dave-secret', 'forgetful');
    await dave.enableSm(); // and never answers the server's <r/>
    const big = 'd'.repeat(100_000);
    // 12 of 100 KB: past CONCORD_GATEWAY_SM_MAX_QUEUE_BYTES (1 MiB), far below the count bound.
    for (let i = 0; i < 12; i++) alice.send(`<message to='dave@${concord.domain}' type='chat' id='unacked-${i}'><body>${i} ${big}</body></message>`);
    await alice.allAcked();
    await dave.waitClosed(10_000);
    expect(dave.received).toMatch(/<stream:error><resource-constraint xmlns=['"]urn:ietf:params:xml:ns:xmpp-streams['"]\/>/);
    // Everything is in dave's archive.
    expect((await concord.archived(`dave@${concord.domain}`)).length).toBe(12);
  }, 60_000);
});
