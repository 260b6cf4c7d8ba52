import { LOG_LEVELS } from '@concord/log';
import type { ConfigOf, Spec } from '@concord/config';

/**
 * Variables every service reads. Service-specific variables are declared in the service's own
 * config.ts and merged with these.
 */
export const commonSpec = {
  domain: { env: 'CONCORD_DOMAIN', type: 'string', default: 'localhost', doc: 'XMPP domain served', pattern: /^[a-z0-9.-]{1,253}$/ },
  nodeId: {
    env: 'CONCORD_NODE_ID', type: 'string', default: 'node1', pattern: /^[A-Za-z0-9_-]{1,64}$/,
    doc: 'Name of this instance; unique per gateway, stable across its restarts (Stream Management resumption uses it)',
  },
  logLevel: { env: 'CONCORD_LOG_LEVEL', type: 'string', default: 'info', oneOf: LOG_LEVELS, doc: 'Log level' },
  natsUrls: { env: 'CONCORD_NATS_URL', type: 'list', default: ['nats://127.0.0.1:14222'], itemPattern: /^(nats|tls):\/\/\S+$/, doc: 'NATS server URLs, comma-separated' },
  busPrefix: { env: 'CONCORD_BUS_PREFIX', type: 'string', default: 'concord', pattern: /^[a-z][a-z0-9_]{0,31}$/, doc: 'Prefix of every stream, subject and bucket name (one deployment per prefix)' },
  busPartitions: { env: 'CONCORD_BUS_PARTITIONS', type: 'int', default: 16, min: 1, max: 1024, doc: 'Account partitions of the inbound and history streams; fixed for the life of a deployment' },
  busReplicas: { env: 'CONCORD_BUS_REPLICAS', type: 'int', default: 1, min: 1, max: 5, doc: 'JetStream replicas per stream and bucket (3 in a cluster)' },
  historyMaxAge: { env: 'CONCORD_HISTORY_MAX_AGE', type: 'duration', default: 0, doc: 'How long the history stream keeps events; 0 = forever (needed to rebuild the archive)' },
  sessionTtl: {
    env: 'CONCORD_SESSION_TTL', type: 'duration', default: 90_000, minMs: 3_000, maxMs: 3_600_000,
    doc: 'A session registry entry expires this long after its gateway last refreshed it (every third of it): the bound within which the sessions of a dead gateway vanish',
  },
  cassandraContactPoints: { env: 'CONCORD_CASSANDRA_CONTACT_POINTS', type: 'list', default: ['127.0.0.1:9042'], doc: 'Cassandra contact points host:port, comma-separated' },
  cassandraLocalDc: { env: 'CONCORD_CASSANDRA_LOCAL_DC', type: 'string', default: 'datacenter1', doc: 'Cassandra local data center name' },
  cassandraKeyspace: { env: 'CONCORD_CASSANDRA_KEYSPACE', type: 'string', default: 'concord', pattern: /^[a-z][a-z0-9_]{0,47}$/, doc: 'Cassandra keyspace' },
  cassandraReplication: {
    env: 'CONCORD_CASSANDRA_REPLICATION', type: 'string', default: 'SimpleStrategy:1',
    doc: 'Keyspace replication used by migrations: SimpleStrategy:N or NetworkTopologyStrategy:dc1=3,...',
  },
  cassandraUsername: { env: 'CONCORD_CASSANDRA_USERNAME', type: 'string', default: '', doc: 'Cassandra user (empty: no authentication)' },
  cassandraPassword: { env: 'CONCORD_CASSANDRA_PASSWORD', type: 'string', default: '', doc: 'Cassandra password' },
  startupTimeout: { env: 'CONCORD_STARTUP_TIMEOUT', type: 'duration', default: 60_000, minMs: 1_000, doc: 'How long a service waits for NATS and Cassandra at start before giving up' },
  shutdownTimeout: {
    env: 'CONCORD_SHUTDOWN_TIMEOUT', type: 'duration', default: 30_000, minMs: 1_000,
    doc: 'How long a stopping service waits for its workers to finish what they hold before it closes its connections anyway (unfinished events are redelivered)',
  },
  httpHost: { env: 'CONCORD_HTTP_HOST', type: 'string', default: '127.0.0.1', doc: 'Address of the /healthz /readyz /metrics servers' },
  otlpEndpoint: { env: 'OTEL_EXPORTER_OTLP_ENDPOINT', type: 'string', default: '', doc: 'OTLP/HTTP collector base URL for traces (empty: traces are not exported)' },
} satisfies Spec;

export type CommonConfig = ConfigOf<typeof commonSpec>;

/** The five services and their default /healthz /readyz /metrics ports: the one table of them. */
export const SERVICE_HTTP_PORTS = { gateway: 9101, router: 9102, archive: 9103, presence: 9104, push: 9105 } as const;
export type ServiceName = keyof typeof SERVICE_HTTP_PORTS;

export function httpPortEnv(service: ServiceName): string {
  return `CONCORD_${service.toUpperCase()}_HTTP_PORT`;
}

/** The health port a service uses under `env` (for tools that probe the services). */
export function httpPortOf(service: ServiceName, env: NodeJS.ProcessEnv): number {
  return Number(env[httpPortEnv(service)] || SERVICE_HTTP_PORTS[service]);
}

/** The health-port variable of one service, e.g. CONCORD_ROUTER_HTTP_PORT. */
export function httpPortVar(service: ServiceName) {
  return {
    env: httpPortEnv(service),
    type: 'int',
    default: SERVICE_HTTP_PORTS[service],
    min: 0,
    max: 65535,
    doc: `Port of the ${service} /healthz /readyz /metrics server (0: any free port)`,
  } as const;
}
