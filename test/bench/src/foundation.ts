import { Bus, publishEvent } from '@concord/bus';
import { HistoryEventType } from '@concord/events';
import { createLogger } from '@concord/log';
import { concord } from '@concord/proto';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { connectCassandra, migrate, parseReplication } from '@concord/storage';
import { runConcurrent, summarize, type Row } from './stats';

/** JetStream: durable (file) publish of a history-sized event, acked by the server. */
export async function benchJetStream(c: CommonConfig, count: number): Promise<Row[]> {
  const bus = await Bus.connect({ servers: c.natsUrls, name: 'bench', prefix: c.busPrefix, partitions: 16, log: createLogger('bench', 'warn') });
  const rows: Row[] = [];
  try {
    await bus.ensure();
    const xml = `<message to="bob@localhost" type="chat"><body>${'x'.repeat(200)}</body></message>`;
    for (const concurrency of [1, 64]) {
      const r = await runConcurrent(count, concurrency, (i) => publishEvent(bus.publisher, bus.names.subjects.history(i % 16),
        HistoryEventType, concord.events.v1.HistoryEvent.fromPartial({ owner: 'alice@localhost', archiveId: `b${concurrency}-${i}`, xml }), { msgId: `b${concurrency}-${i}` }));
      rows.push(summarize(`jetstream publish+ack, ${concurrency} in flight`, r.latencies, r.seconds, 'file storage'));
    }
  } finally {
    // Leave nothing behind: every stream and bucket of the bench's prefix.
    for await (const name of bus.jsm.streams.names()) {
      if (name.startsWith(`${c.busPrefix.toUpperCase()}_`) || name.startsWith(`KV_${c.busPrefix}_`)) await bus.jsm.streams.delete(name).catch(() => undefined);
    }
    await bus.close();
  }
  return rows;
}

/** Cassandra: single-row writes and reads by key through the driver, LOCAL_QUORUM. */
export async function benchCassandra(c: CommonConfig, count: number): Promise<Row[]> {
  await migrate(cassandraSettings(c), c.cassandraKeyspace, parseReplication('SimpleStrategy:1'));
  const client = await connectCassandra({ ...cassandraSettings(c), keyspace: c.cassandraKeyspace });
  const rows: Row[] = [];
  try {
    const w = await runConcurrent(count, 64, (i) => client.execute('INSERT INTO accounts (jid, created_at, admin, disabled) VALUES (?, ?, ?, ?)', [`u${i}@bench`, new Date(), false, false]));
    rows.push(summarize('cassandra insert, 64 in flight', w.latencies, w.seconds));
    const r = await runConcurrent(count, 64, (i) => client.execute('SELECT jid FROM accounts WHERE jid = ?', [`u${i}@bench`]));
    rows.push(summarize('cassandra read by key, 64 in flight', r.latencies, r.seconds));
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${c.cassandraKeyspace}`);
    await client.shutdown();
  }
  return rows;
}
