/**
 * Bind2 catch-up while the archive is behind (DESIGN §3.5, §8): the archive runs as its own
 * process and is frozen (SIGSTOP), as a stalled Cassandra freezes it. What alice sent meanwhile
 * was routed to no session of bob's (he was offline) and is not archived yet, so neither the
 * catch-up nor the live flow can bring it: the catch-up says it is not complete, and once the
 * archive is back the messages follow on their own, each once.
 */
import { NS } from '@concord/xmpp';
import type { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { RawClient } from '../support/raw-client';
import { eventually, requireStack } from '../support/stack';

describe('Bind2 catch-up while the archive is frozen', () => {
  requireStack();
  let concord: RunningConcord;
  let alice: ClientDriver;
  let tablet: RawClient | undefined;
  let bob: string;

  beforeAll(async () => {
    concord = await startConcord('catchupbehind', {}, { archiveProcess: true });
    await concord.addAccount('alice', 'alice-secret');
    bob = await concord.addAccount('bob', 'bob-secret');
    alice = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
  }, 60_000);

  afterAll(async () => {
    concord.freezeArchive(false);
    tablet?.end();
    await alice.kill();
    await concord.stop();
  });

  const send = (ids: string[]) => Promise.all(ids.map((id) => alice.ok('send', { xml: `<message to='${bob}' type='chat' id='${id}'><body>${id}</body></message>` })));

  it('says it is not complete, and brings the rest once the archive is back, each once', async () => {
    await send(['known']);
    const known = await eventually(async () => (await concord.archived(bob))[0], 20_000, "bob's first row");
    concord.freezeArchive(true);
    const meanwhile = Array.from({ length: 10 }, (_, i) => `meanwhile-${i}`);
    await send(meanwhile);

    tablet = await RawClient.connect(concord.ports.tcp);
    await tablet.startTls(concord.domain);
    tablet.clear();
    tablet.write(`<authenticate xmlns='urn:xmpp:sasl:2' mechanism='PLAIN'><initial-response>${Buffer.from('\0bob\0bob-secret').toString('base64')}</initial-response>` +
      `<user-agent id='0b7e4a52-tablet'/><bind xmlns='urn:xmpp:bind:0'><tag>tablet</tag><enable xmlns='urn:xmpp:im-ng:0'/>` +
      `<catchup xmlns='urn:concord:mr2:0' after-id='${known.archiveId}' max='100'/></bind></authenticate>`);
    // The gateway gives up waiting for the frozen archive's answer after its query timeout.
    await tablet.waitFor(/<caught-up[^>]*complete=['"]false['"]/, 40_000);
    expect(tablet.received).toMatch(/<catchup xmlns=['"]urn:concord:mr2:0['"] count=['"]0['"] complete=['"]false['"]\/>/);
    concord.freezeArchive(false);

    const bodies = () => tablet!.elements().filter((e) => e.name === 'message' && e.getChildren('stanza-id', NS.sid).some((s) => s.attrs['by'] === bob))
      .map((e) => e.getChildText('body'));
    const got = await eventually(async () => (bodies().length >= meanwhile.length ? bodies() : undefined), 40_000, 'the messages sent while the archive was frozen');
    expect([...got].sort()).toEqual([...meanwhile].sort());
    // Live from now on, and nothing comes twice.
    await send(['after']);
    await tablet.waitFor(/<body>after<\/body>/, 20_000);
    expect(bodies().filter((b) => b !== 'after')).toHaveLength(meanwhile.length);
  }, 120_000);
});
