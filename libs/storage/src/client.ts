import { Client, policies, types } from 'cassandra-driver';

export interface CassandraSettings {
  contactPoints: string[];
  localDataCenter: string;
  /** Connect with this keyspace as the default one. */
  keyspace?: string;
  username?: string;
  password?: string;
}

/**
 * Longest wait for one request's answer (the driver's default is 12 s). After a node stalls
 * (SIGSTOP, a long GC pause) some requests sent around its return are never answered; every
 * write here is idempotent and retried, so a shorter wait bounds how late held acks resume.
 * Every query Concord makes answers in milliseconds when the node is healthy.
 */
const READ_TIMEOUT_MS = 5_000;

/** Longest pause between two attempts to reach a Cassandra node that is down. */
const RECONNECT_MAX_MS = 2_000;

/**
 * A driver client that is not connected yet: it connects at its first request, and a request
 * while Cassandra is unreachable fails alone (the next one tries to connect again). Callers own
 * it and call shutdown().
 */
export function cassandraClient(s: CassandraSettings): Client {
  return new Client({
    contactPoints: s.contactPoints,
    localDataCenter: s.localDataCenter,
    ...(s.keyspace ? { keyspace: s.keyspace } : {}),
    ...(s.username ? { credentials: { username: s.username, password: s.password ?? '' } } : {}),
    queryOptions: { consistency: types.consistencies.localQuorum, prepare: true },
    socketOptions: { connectTimeout: 5_000, readTimeout: READ_TIMEOUT_MS },
    // The driver's default waits up to 10 minutes between reconnection attempts: after a long
    // outage the archive (holding every sender's ack) would stay blind to a Cassandra that is
    // back. Retrying a node at most every 2 s bounds how late acks resume.
    policies: { reconnection: new policies.reconnection.ExponentialReconnectionPolicy(250, RECONNECT_MAX_MS, false) },
  });
}

/** A connected driver client; callers own it and call shutdown(). */
export async function connectCassandra(s: CassandraSettings): Promise<Client> {
  const client = cassandraClient(s);
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
