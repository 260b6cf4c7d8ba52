/** The storage layer against the real Cassandra: migrations, then accounts written and read back. */
import type { Client } from 'cassandra-driver';
import { cassandraSettings } from '@concord/runtime';
import { AccountStore, connectCassandra, loadMigrations, migrate, parseReplication, schemaStatus } from '@concord/storage';
import { dropKeyspace, requireStack, testConfig, uniqueName } from '../support/stack';

describe('storage: migrations and accounts', () => {
  requireStack();
  const cfg = testConfig(uniqueName('storage'));
  const settings = cassandraSettings(cfg);
  let client: Client;

  beforeAll(async () => {
    client = await connectCassandra(settings);
  });

  afterAll(async () => {
    await dropKeyspace(cfg);
    await client.shutdown();
  });

  it('creates the keyspace and applies every migration once', async () => {
    const before = await schemaStatus(client, cfg.cassandraKeyspace);
    expect(before.keyspaceExists).toBe(false);

    const applied = await migrate(settings, cfg.cassandraKeyspace, parseReplication('SimpleStrategy:1'));
    expect(applied).toEqual(loadMigrations().map((m) => m.version));

    const again = await migrate(settings, cfg.cassandraKeyspace, parseReplication('SimpleStrategy:1'));
    expect(again).toEqual([]);
    const after = await schemaStatus(client, cfg.cassandraKeyspace);
    expect(after.pending).toEqual([]);
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    const edited = loadMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
    await expect(migrate(settings, cfg.cassandraKeyspace, parseReplication('SimpleStrategy:1'), { migrations: edited })).rejects.toThrow(/changed after it was applied/);
  });

  it('writes and reads an account', async () => {
    const ks = await connectCassandra({ ...settings, keyspace: cfg.cassandraKeyspace });
    try {
      const archivesDeleted: string[] = [];
      const store = new AccountStore(ks, async (owner) => {
        archivesDeleted.push(owner);
        return 42;
      });
      const cred = { salt: Buffer.from('salt'), iterations: 4096, storedKey: Buffer.alloc(32, 1), serverKey: Buffer.alloc(32, 2) };
      const alice = { jid: 'alice@localhost', credentials: { 'SCRAM-SHA-256': cred }, createdAt: new Date(1_700_000_000_000), admin: false, disabled: false };

      expect(await store.create(alice)).toBe(true);
      expect(await store.create(alice)).toBe(false);
      expect(await store.get('alice@localhost')).toEqual(alice);
      expect(await store.get('nobody@localhost')).toBeUndefined();

      const newCred = { ...cred, iterations: 8192 };
      expect(await store.setCredentials('alice@localhost', { 'SCRAM-SHA-1': newCred })).toBe(true);
      expect((await store.get('alice@localhost'))!.credentials).toEqual({ 'SCRAM-SHA-1': newCred });
      expect(await store.setCredentials('nobody@localhost', {})).toBe(false);

      await store.create({ ...alice, jid: 'bob@localhost' });
      const listed: string[] = [];
      for await (const jid of store.list(1)) listed.push(jid);
      expect(listed.sort()).toEqual(['alice@localhost', 'bob@localhost']);

      expect(await store.remove('alice@localhost')).toEqual({ rosterItems: 0, pushRegistrations: 0, notifyPrefs: 0, archiveDeletedAt: 42 });
      expect(await store.remove('alice@localhost')).toBeUndefined();
      expect(archivesDeleted).toEqual(['alice@localhost']);
      await expect(new AccountStore(ks).remove('bob@localhost')).rejects.toThrow(/cannot delete archives/);
      expect(await store.get('alice@localhost')).toBeUndefined();
    } finally {
      await ks.shutdown();
    }
  });
});
