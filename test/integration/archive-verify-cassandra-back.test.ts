/**
 * Cassandra restarted under a running archive (DESIGN §3.4): the archive reaches Cassandra
 * through a TCP proxy, which drops every connection and refuses new ones for a while, as a
 * crashed node would. Meanwhile rows the archive had written vanish (writes the node
 * acknowledged and lost). When the driver sees the node come back, the archive verifies its
 * recent window against the history stream and writes them again, without a restart.
 */
import { Bus } from '@concord/bus';
import { ArchiveService, readArchiveConfig } from '@concord/archive';
import { createLogger } from '@concord/log';
import { cassandraSettings } from '@concord/runtime';
import { ArchiveStore, bucketOf, connectCassandra, type ArchivedRow } from '@concord/storage';
import type { Client, Host } from 'cassandra-driver';
import { publishMessage } from '../support/history';
import { createKeyspace, dropBus, dropKeyspace, eventually, requireStack, testConfig, uniqueName } from '../support/stack';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

describe('the archive verifies itself when Cassandra comes back', () => {
  requireStack();
  const name = uniqueName('verifyback');
  const cfg = testConfig(name);
  const alice = 'alice@localhost';
  let proxy: TcpProxy;
  let archive: ArchiveService;
  let bus: Bus;
  let cassandra: Client;
  /**
   * Hosts the driver dropped from its map. When its control connection reconnects it may
   * replace the node's host object by a new one (hostRemove, then hostAdd already up) without
   * shutting the old one's pool down, which then keeps reconnecting after client.shutdown().
   */
  const replaced: (Host & { shutdown(): Promise<void> })[] = [];

  beforeAll(async () => {
    await createKeyspace(cfg);
    proxy = await startTcpProxy(cfg.cassandraContactPoints[0]!);
    archive = await ArchiveService.create(readArchiveConfig({
      ...process.env, CONCORD_BUS_PREFIX: name, CONCORD_CASSANDRA_KEYSPACE: name, CONCORD_LOG_LEVEL: 'warn',
      CONCORD_CASSANDRA_CONTACT_POINTS: proxy.address, CONCORD_ARCHIVE_HTTP_PORT: '0', CONCORD_ARCHIVE_GRPC_PORT: '0',
    }));
    await archive.start();
    archive.ctx.cassandra.on('hostRemove', (h: Host & { shutdown(): Promise<void> }) => replaced.push(h));
    bus = await Bus.connect({ servers: cfg.natsUrls, name: 'verify-back-test', prefix: name, partitions: cfg.busPartitions, log: createLogger('test', 'warn') });
    cassandra = await connectCassandra({ ...cassandraSettings(cfg), keyspace: name });
  }, 60_000);

  afterAll(async () => {
    await archive?.destroy();
    await Promise.all(replaced.map((h) => h.shutdown()));
    await proxy?.close();
    await bus?.close();
    await cassandra?.shutdown();
    await dropBus(cfg);
    await dropKeyspace(cfg);
  });

  async function rows(): Promise<ArchivedRow[]> {
    const out: ArchivedRow[] = [];
    for await (const r of new ArchiveStore(cassandra).all(alice)) out.push(r);
    return out;
  }

  it('repairs the rows a Cassandra crash lost once the driver sees the node up again', async () => {
    for (let i = 1; i <= 5; i++) await publishMessage(bus, { owner: alice, peer: 'bob@localhost', archiveId: `m-${i}`, body: `hello ${i}`, msgId: `m-${i}` });
    await eventually(async () => ((await rows()).length === 5 ? true : undefined), 15_000, 'five rows');
    const before = await rows();

    const host = () => archive.ctx.cassandra.hosts.values()[0]!;
    proxy.down();
    await eventually(async () => (host().isUp() ? undefined : true), 20_000, 'the archive to see Cassandra down');
    for (const r of before.slice(1, 3)) {
      await cassandra.execute('DELETE FROM archive_messages WHERE owner = ? AND bucket = ? AND position = ?', [alice, bucketOf(r.timestampMs), r.position]);
      await cassandra.execute('DELETE FROM archive_ids WHERE owner = ? AND archive_id = ?', [alice, r.archiveId]);
    }
    expect(await rows()).toHaveLength(3);

    await proxy.heal();
    await eventually(async () => (host().isUp() ? true : undefined), 30_000, 'the archive to see Cassandra up');
    await eventually(async () => ((await rows()).length === 5 ? true : undefined), 15_000, 'the lost rows to be repaired');
    expect(await rows()).toEqual(before);
  }, 90_000);
});
