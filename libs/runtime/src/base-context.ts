import { hostname } from 'node:os';
import type { Client } from 'cassandra-driver';
import { Bus } from '@concord/bus';
import { createLogger, type Logger } from '@concord/log';
import { cassandraClient, connectCassandra, schemaStatus, type CassandraSettings, type SchemaStatus } from '@concord/storage';
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
  /** Opened with `cassandraInBackground`: whether the schema is known to be current (readiness waits for it). */
  schema?: SchemaWatch;
}

export interface OpenOptions {
  /**
   * Start without waiting for Cassandra: the client connects at its first request and the
   * schema is checked in the background. For the gateway, whose listeners must accept clients
   * during a Cassandra outage (authentication then fails as temporary-auth-failure).
   */
  cassandraInBackground?: boolean;
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
export async function openBaseContext<C extends CommonConfig>(service: string, config: C, overrides: Partial<BaseContext<C>> = {}, opts: OpenOptions = {}): Promise<BaseContext<C>> {
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
  if (opts.cassandraInBackground) {
    const cassandra = cassandraClient({ ...cassandraSettings(config), keyspace: config.cassandraKeyspace });
    return { service, config, log, bus, cassandra, schema: watchSchema(cassandra, config.cassandraKeyspace, log) };
  }
  const probe = await retryUntil(deadline, log, 'cassandra', () => connectCassandra(cassandraSettings(config)));
  const status = await schemaStatus(probe, config.cassandraKeyspace).finally(() => probe.shutdown());
  if (status.pending.length > 0) {
    await bus.close();
    throw new Error(schemaBehind(config.cassandraKeyspace, status));
  }
  // The session used from here on has the keyspace as its default, so prepared statements are bound to it.
  const cassandra = await connectCassandra({ ...cassandraSettings(config), keyspace: config.cassandraKeyspace });
  return { service, config, log, bus, cassandra };
}

function schemaBehind(keyspace: string, status: SchemaStatus): string {
  return `keyspace ${keyspace} lacks migrations ${status.pending.join(', ')} ` +
    `(${status.keyspaceExists ? 'schema behind this build' : 'keyspace missing'}): run \`concordctl migrate\``;
}

/** The schema check of a context opened with `cassandraInBackground`. */
export interface SchemaWatch {
  /** Undefined until Cassandra answered; false when the keyspace lacks migrations. */
  readonly current: boolean | undefined;
  stop(): void;
}

/** How often the background schema check tries while Cassandra does not answer. */
const SCHEMA_RETRY_MS = 2_000;

/** Checks the schema once Cassandra answers, trying again until it does. */
function watchSchema(client: Client, keyspace: string, log: Logger): SchemaWatch {
  let current: boolean | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failures = 0;
  const attempt = async () => {
    try {
      const status = await schemaStatus(client, keyspace);
      current = status.pending.length === 0;
      if (current) log.info('cassandra reachable, schema current');
      else log.error(schemaBehind(keyspace, status));
      return;
    } catch (err) {
      if (failures++ === 0) log.warn({ err: (err as Error).message }, 'cassandra not reachable: started without it; clients cannot authenticate until it is');
    }
    if (!stopped) timer = setTimeout(() => void attempt(), SCHEMA_RETRY_MS).unref();
  };
  void attempt();
  return {
    get current() {
      return current;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** A dependency that is down must not keep a stopping service alive forever. */
const CLOSE_TIMEOUT_MS = 10_000;

export async function closeBaseContext(ctx: BaseContext): Promise<void> {
  ctx.schema?.stop();
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
