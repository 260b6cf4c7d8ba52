import { hostname } from 'node:os';
import type { Client } from 'cassandra-driver';
import { Bus } from '@concord/bus';
import { createLogger, type Logger } from '@concord/log';
import { connectCassandra, schemaStatus, type CassandraSettings } from '@concord/storage';
import { traceLogFields } from '@concord/telemetry';
import type { CommonConfig } from './common-config';
import { retryUntil } from './retry';

/** What every service holds: its config, logger, bus connection and Cassandra session. */
export interface BaseContext<C extends CommonConfig = CommonConfig> {
  service: string;
  config: C;
  log: Logger;
  bus: Bus;
  cassandra: Client;
}

/** Connection settings without a default keyspace (the caller may not have created it yet). */
export function cassandraSettings(c: CommonConfig): CassandraSettings {
  return {
    contactPoints: c.cassandraContactPoints,
    localDataCenter: c.cassandraLocalDc,
    ...(c.cassandraUsername ? { username: c.cassandraUsername, password: c.cassandraPassword } : {}),
  };
}

/**
 * Connects to NATS (ensuring the bus registry) and Cassandra, retrying until the startup
 * timeout so that services may start before their dependencies. Refuses to run against a
 * keyspace whose schema is behind this build.
 */
export async function openBaseContext<C extends CommonConfig>(service: string, config: C, overrides: Partial<BaseContext<C>> = {}): Promise<BaseContext<C>> {
  const log = overrides.log ?? createLogger(service, config.logLevel as never, traceLogFields);
  const deadline = Date.now() + config.startupTimeout;
  const bus = overrides.bus ?? await retryUntil(deadline, log, 'nats', () => Bus.connect({
    servers: config.natsUrls,
    name: `concord-${service}@${hostname()}/${config.nodeId}`,
    prefix: config.busPrefix,
    partitions: config.busPartitions,
    settings: { replicas: config.busReplicas, historyMaxAgeMs: config.historyMaxAge, sessionTtlMs: config.sessionTtl },
    log,
  }));
  await retryUntil(deadline, log, 'bus registry', () => bus.ensure());
  if (overrides.cassandra) return { service, config, log, bus, cassandra: overrides.cassandra };
  const probe = await retryUntil(deadline, log, 'cassandra', () => connectCassandra(cassandraSettings(config)));
  const status = await schemaStatus(probe, config.cassandraKeyspace).finally(() => probe.shutdown());
  if (status.pending.length > 0) {
    await bus.close();
    throw new Error(`keyspace ${config.cassandraKeyspace} lacks migrations ${status.pending.join(', ')} ` +
      `(${status.keyspaceExists ? 'schema behind this build' : 'keyspace missing'}): run \`concordctl migrate\``);
  }
  // The session used from here on has the keyspace as its default, so prepared statements are bound to it.
  const cassandra = await connectCassandra({ ...cassandraSettings(config), keyspace: config.cassandraKeyspace });
  return { service, config, log, bus, cassandra };
}

/** A dependency that is down must not keep a stopping service alive forever. */
const CLOSE_TIMEOUT_MS = 10_000;

export async function closeBaseContext(ctx: BaseContext): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      ctx.log.warn('connections did not close in time; leaving them');
      resolve();
    }, CLOSE_TIMEOUT_MS);
  });
  await Promise.race([Promise.allSettled([ctx.bus.close(), ctx.cassandra.shutdown()]), timeout]);
  clearTimeout(timer);
}
