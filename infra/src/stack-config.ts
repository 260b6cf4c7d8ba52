import { readConfig, type ConfigOf, type Env, type Spec } from '@concord/config';

/** Variables of the local stack (`npm start`, `npm test`); services have their own. */
export const stackSpec = {
  mode: { env: 'CONCORD_MODE', type: 'string', default: 'services', oneOf: ['services', 'all-in-one'], doc: '`services`: one process per service; `all-in-one`: every service in one process (still over NATS)' },
  natsPort: { env: 'CONCORD_NATS_PORT', type: 'int', default: 14222, min: 1, max: 65535, doc: 'Client port of the local nats-server' },
  natsMonitorPort: { env: 'CONCORD_NATS_MONITOR_PORT', type: 'int', default: 18222, min: 1, max: 65535, doc: 'Monitoring port of the local nats-server' },
  cassandraPort: { env: 'CONCORD_CASSANDRA_PORT', type: 'int', default: 9042, min: 1, max: 65535, doc: 'CQL port of the local Cassandra' },
  cassandraStoragePort: { env: 'CONCORD_CASSANDRA_STORAGE_PORT', type: 'int', default: 7000, min: 1, max: 65535, doc: 'Inter-node port of the local Cassandra' },
  cassandraVersion: { env: 'CONCORD_CASSANDRA_VERSION', type: 'string', default: '5.0.8', pattern: /^5\.0\.\d+$/, doc: 'Cassandra 5.0.x release resolved from Maven Central' },
  cassandraHeap: { env: 'CONCORD_CASSANDRA_HEAP', type: 'string', default: '1g', pattern: /^\d+[mg]$/, doc: 'JVM heap of the local Cassandra (-Xms/-Xmx)' },
  cassandraUnsafeFast: {
    env: 'CONCORD_CASSANDRA_UNSAFE_FAST', type: 'bool', default: false,
    doc: 'Start the local Cassandra without fsync (throwaway test nodes only; `npm test` turns it on unless set)',
  },
  stateDir: { env: 'CONCORD_STATE_DIR', type: 'string', default: '', doc: 'Data, logs and pid files of the local stack (empty: `.concord/` in the checkout)' },
  cacheDir: { env: 'CONCORD_CACHE_DIR', type: 'string', default: '', doc: 'Downloaded Cassandra jars, shared by checkouts (empty: `~/.cache/concord`)' },
  natsServerBin: { env: 'CONCORD_NATS_SERVER_BIN', type: 'string', default: '', doc: 'nats-server binary to use (empty: the Debian package, installed when missing)' },
  startTimeout: { env: 'CONCORD_STACK_START_TIMEOUT', type: 'duration', default: 180_000, minMs: 5_000, doc: 'How long to wait for each component to become ready' },
} satisfies Spec;

export type StackConfig = ConfigOf<typeof stackSpec>;

export function readStackConfig(env: Env): StackConfig {
  return readConfig(stackSpec, env);
}

/** The environment services need to reach this stack, unless the operator set it already. */
export function serviceEnv(cfg: StackConfig, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    CONCORD_NATS_URL: env['CONCORD_NATS_URL'] || `nats://127.0.0.1:${cfg.natsPort}`,
    CONCORD_CASSANDRA_CONTACT_POINTS: env['CONCORD_CASSANDRA_CONTACT_POINTS'] || `127.0.0.1:${cfg.cassandraPort}`,
  };
}
