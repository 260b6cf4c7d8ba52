/** RosterStore against the real Cassandra: serialized versions, tombstones, hidden requests. */
import type { Client } from 'cassandra-driver';
import { cassandraSettings } from '@concord/runtime';
import { connectCassandra, emptyEntry, RosterStore } from '@concord/storage';
import { createKeyspace, dropKeyspace, requireStack, testConfig, uniqueName } from '../support/stack';

describe('roster store', () => {
  requireStack();
  const cfg = testConfig(uniqueName('rosters'));
  let client: Client;
  let store: RosterStore;
  const alice = 'alice@example.com';

  beforeAll(async () => {
    await createKeyspace(cfg);
    client = await connectCassandra({ ...cassandraSettings(cfg), keyspace: cfg.cassandraKeyspace });
    store = new RosterStore(client);
  });

  afterAll(async () => {
    await client.shutdown();
    await dropKeyspace(cfg);
  });

  it('gives concurrent changes of one roster distinct, consecutive versions', async () => {
    const contacts = Array.from({ length: 8 }, (_, i) => `friend${i}@example.com`);
    const changes = await Promise.all(contacts.map((c) => store.update(alice, c, (cur) => ({ ...(cur ?? emptyEntry(c)), listed: true, name: c }))));
    expect(changes.map((c) => c.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const roster = await store.load(alice);
    expect(roster.version).toBe(8);
    expect(roster.entries.map((e) => e.ver).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('keeps a removal as a tombstone at its version, and a hidden request without one', async () => {
    const bob = 'bob@example.com';
    const carol = 'carol@example.com';
    const added = await store.update(alice, bob, (cur) => ({ ...(cur ?? emptyEntry(bob)), listed: true }));
    const removed = await store.update(alice, bob, (cur) => (cur?.listed ? emptyEntry(bob) : undefined));
    expect(removed).toMatchObject({ visible: true, version: added.version + 1, after: { listed: false, ver: added.version + 1 } });
    // Nothing to remove: no write, no new version.
    const again = await store.update(alice, bob, (cur) => (cur?.listed ? emptyEntry(bob) : undefined));
    expect(again).toMatchObject({ visible: false, version: removed.version });

    const request = await store.update(alice, carol, (cur) => ({ ...(cur ?? emptyEntry(carol)), pendingIn: '<presence type="subscribe"/>' }));
    expect(request).toMatchObject({ visible: false, version: removed.version + 1, after: { listed: false, ver: 0 } });
    const since = (await store.load(alice)).entries.filter((e) => e.ver > added.version);
    expect(since.map((e) => [e.contact, e.listed])).toEqual([[bob, false]]);
  });
});
