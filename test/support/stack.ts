import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { readConfig } from '@concord/config';
import { cassandraSettings, commonSpec, type CommonConfig } from '@concord/runtime';
import { connectCassandra, migrate, parseReplication } from '@concord/storage';

/**
 * Integration tests run against the real nats-server and Cassandra that `npm test` brings up
 * (it sets CONCORD_TEST_STACK). Each test file works in its own bus prefix and keyspace.
 */
export function requireStack(): void {
  if (!process.env['CONCORD_TEST_STACK']) {
    throw new Error('integration tests need the local stack: run them with `npm test` (it starts nats-server and Cassandra)');
  }
}

/** A fresh name usable as bus prefix and keyspace: t_<label>_<random>. */
export function uniqueName(label: string): string {
  return `t_${label.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 16)}_${randomBytes(4).toString('hex')}`;
}

/** The common configuration of a test file: the stack from the environment, its own names. */
export function testConfig(name: string, env: Record<string, string> = {}): CommonConfig {
  return readConfig(commonSpec, {
    ...process.env,
    CONCORD_BUS_PREFIX: name,
    CONCORD_CASSANDRA_KEYSPACE: name,
    CONCORD_LOG_LEVEL: 'warn',
    CONCORD_STARTUP_TIMEOUT: '20s',
    ...env,
  });
}

export async function createKeyspace(c: CommonConfig): Promise<void> {
  await migrate(cassandraSettings(c), c.cassandraKeyspace, parseReplication(c.cassandraReplication));
}

export async function dropKeyspace(c: CommonConfig): Promise<void> {
  const client = await connectCassandra(cassandraSettings(c));
  try {
    await client.execute(`DROP KEYSPACE IF EXISTS ${c.cassandraKeyspace}`);
  } finally {
    await client.shutdown();
  }
}

/** Deletes every stream (KV buckets included) that belongs to the prefix. */
export async function dropBus(c: CommonConfig): Promise<void> {
  const nc = await connect({ servers: c.natsUrls });
  try {
    const jsm = await jetstreamManager(nc);
    const owned = [`${c.busPrefix.toUpperCase()}_`, `KV_${c.busPrefix}_`];
    for await (const name of jsm.streams.names()) {
      if (owned.some((p) => name.startsWith(p))) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}

/** Resolves with the value once `probe` returns one; rejects after the timeout. For events without a callback. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
