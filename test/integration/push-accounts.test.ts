/**
 * The push accounts set against the real nats-server KV and Cassandra: the push service fills
 * it from the registrations once, keeps it on enable and disable, and the router's watched
 * copy answers whether an account may need a push.
 */
import type { Client } from 'cassandra-driver';
import { Bus } from '@concord/bus';
import { createLogger } from '@concord/log';
import { pushAccountsWorker, refreshPushAccount } from '@concord/push';
import { PushAccounts, PushAccountsWriter } from '@concord/registry';
import { cassandraSettings } from '@concord/runtime';
import { connectCassandra, PushRegistrationStore } from '@concord/storage';
import { createKeyspace, dropBus, dropKeyspace, eventually, requireStack, testConfig, uniqueName } from '../support/stack';

describe('push accounts set', () => {
  requireStack();
  const cfg = testConfig(uniqueName('pushaccounts'));
  const log = createLogger('test', 'warn');
  let bus: Bus;
  let client: Client;
  let store: PushRegistrationStore;
  let writer: PushAccountsWriter;
  const readers: PushAccounts[] = [];
  const register = (account: string, device: string) =>
    store.put({ account, device, appServer: 'push.example.net', node: device, publishOptions: {}, enabledAt: new Date(), enabledBy: `${account}/${device}` });
  const becomes = (r: PushAccounts, account: string, want: boolean) =>
    eventually(async () => (r.mayPush(account) === want ? true : undefined), 5_000, `mayPush(${account}) to be ${want}`);

  beforeAll(async () => {
    await createKeyspace(cfg);
    client = await connectCassandra({ ...cassandraSettings(cfg), keyspace: cfg.cassandraKeyspace });
    store = new PushRegistrationStore(client);
    bus = await Bus.connect({ servers: cfg.natsUrls, name: 'push-accounts-test', prefix: cfg.busPrefix, log });
    await bus.ensure();
    writer = new PushAccountsWriter(await bus.kv('pushAccounts'));
  });

  afterAll(async () => {
    await Promise.all(readers.map((r) => r.stop()));
    await bus.close();
    await client.shutdown();
    await dropBus(cfg);
    await dropKeyspace(cfg);
  });

  const open = async () => {
    const r = await PushAccounts.open(await bus.kv('pushAccounts'));
    readers.push(r);
    return r;
  };

  it('until the set is filled, every account may need a push; then only those with registrations', async () => {
    // Registrations made before the set existed.
    await register('alice@localhost', 'phone');
    await register('alice@localhost', 'tablet');
    await register('bob@localhost', 'phone');
    const router = await open();
    expect(router.mayPush('carol@localhost')).toBe(true);

    const worker = pushAccountsWorker(store, writer, log);
    await worker.start();
    expect(await writer.isComplete()).toBe(true);
    await becomes(router, 'carol@localhost', false);
    expect(router.mayPush('alice@localhost')).toBe(true);
    expect(router.mayPush('bob@localhost')).toBe(true);

    // A copy opened later holds everything at once.
    const late = await open();
    expect([late.mayPush('alice@localhost'), late.mayPush('bob@localhost'), late.mayPush('carol@localhost')]).toEqual([true, true, false]);
  });

  it('follows enables and disables; an account keeps its key while one registration is left', async () => {
    const router = await open();
    await register('carol@localhost', 'laptop');
    await writer.set('carol@localhost', true);
    await becomes(router, 'carol@localhost', true);

    await store.remove('alice@localhost', 'phone');
    await refreshPushAccount(store, writer, 'alice@localhost');
    await store.remove('bob@localhost', 'phone');
    await refreshPushAccount(store, writer, 'bob@localhost');
    await becomes(router, 'bob@localhost', false);
    // The tablet is still registered.
    expect(router.mayPush('alice@localhost')).toBe(true);
  });

  it('a second fill is a no-op once the set is complete', async () => {
    await register('dave@localhost', 'phone'); // written behind the set's back: not picked up again
    await pushAccountsWorker(store, writer, log).start();
    const fresh = await open();
    expect(fresh.mayPush('dave@localhost')).toBe(false);
  });
});
