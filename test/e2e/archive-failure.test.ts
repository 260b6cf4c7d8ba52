/**
 * A permanent archive failure (DESIGN §3.4): when Cassandra refuses the write itself, the message
 * is still routed and acked at once, and the sender gets an archive-failed notice with reason
 * "rejected" (not held for the transient retry bound). Real sockets, NATS and Cassandra; the
 * refusal is made real by dropping a table the archive writes to.
 */
import type { Client } from 'cassandra-driver';
import { cassandraSettings } from '@concord/runtime';
import { connectCassandra } from '@concord/storage';
import type { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { requireStack, testConfig } from '../support/stack';

describe('archive failure', () => {
  requireStack();
  let concord: RunningConcord;
  let alice: ClientDriver;
  let bob: ClientDriver;
  let cassandra: Client;

  beforeAll(async () => {
    // A retry bound far beyond the test's waits: only a refusal can end the hold in time.
    concord = await startConcord('archive-failure', { CONCORD_ARCHIVE_WRITE_RETRY_FOR: '1h' });
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    alice = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
    bob = await xmppjsOnline(concord, 'bob.phone', 'bob', 'bob-secret');
    cassandra = await connectCassandra({ ...cassandraSettings(testConfig(concord.name)), keyspace: concord.name });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([alice, bob].map((d) => d?.kill()));
    await cassandra?.shutdown();
    await concord.stop();
  });

  it('a write Cassandra refuses: routed, acked and noticed as rejected, not archived', async () => {
    const to = `bob@${concord.domain}`;
    // Before the archive's first write: preparing the write is then refused (unconfigured table).
    await cassandra.execute('DROP TABLE archive_buckets');
    await alice.ok('send', { xml: `<message to='${to}' type='chat' id='lost-1'><body>not archived</body></message>` });
    await bob.waitFor((e) => e.event === 'element' && (e.xml ?? '').includes('<body>not archived</body>'), 15_000, 'the live copy');
    await alice.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="lost-1"'), 15_000, 'the ack');
    const notice = await alice.waitFor((e) => e.event === 'element' && (e.xml ?? '').includes('archive-failed'), 15_000, 'the notice');
    expect(notice.xml).toMatch(/origin-id="lost-1"/);
    expect(notice.xml).toMatch(/reason="rejected"/);
    // Neither copy is stored (the bucket index is gone, so the rows are read without it).
    expect((await cassandra.execute('SELECT owner, origin_id FROM archive_messages')).rows).toEqual([]);
  });
});
