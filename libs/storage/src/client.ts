import { Client, types } from 'cassandra-driver';

export interface CassandraSettings {
  contactPoints: string[];
  localDataCenter: string;
  /** Connect with this keyspace as the default one. */
  keyspace?: string;
  username?: string;
  password?: string;
}

/** A connected driver client; callers own it and call shutdown(). */
export async function connectCassandra(s: CassandraSettings): Promise<Client> {
  const client = new Client({
    contactPoints: s.contactPoints,
    localDataCenter: s.localDataCenter,
    ...(s.keyspace ? { keyspace: s.keyspace } : {}),
    ...(s.username ? { credentials: { username: s.username, password: s.password ?? '' } } : {}),
    queryOptions: { consistency: types.consistencies.localQuorum, prepare: true },
    socketOptions: { connectTimeout: 5_000, readTimeout: 12_000 },
  });
  try {
    await client.connect();
  } catch (err) {
    await client.shutdown().catch(() => undefined);
    throw new Error(`cannot reach Cassandra at ${s.contactPoints.join(',')} (data center ${s.localDataCenter}): ${(err as Error).message}`);
  }
  return client;
}

/** True when Cassandra answers a query within the timeout. */
export async function cassandraReady(client: Client, timeoutMs = 2_000): Promise<boolean> {
  try {
    await client.execute('SELECT release_version FROM system.local', [], { readTimeout: timeoutMs });
    return true;
  } catch {
    return false;
  }
}
