import { ConfigError, mergeSpecs, readConfig, type ConfigOf, type Env, type Spec } from '@concord/config';
import { commonSpec, httpPortVar } from '@concord/runtime';
import { MAX_RETENTION_MS } from '@concord/storage';
import { CALLER_ITEM, parseCallers } from './grpc/callers';

/** Read by the archive and by `concordctl archive rebuild`, which must expire rows the same way. */
export const retentionSpec = {
  archiveRetention: {
    env: 'CONCORD_ARCHIVE_RETENTION', type: 'duration', default: 0, maxMs: MAX_RETENTION_MS,
    doc: 'How long archived messages are kept, counted from their time: rows expire by Cassandra TTL (0 = forever). Also read by `concordctl archive rebuild`; keep CONCORD_HISTORY_MAX_AGE at least this long to rebuild everything',
  },
} satisfies Spec;

export const archiveSpec = mergeSpecs(commonSpec, {
  httpPort: httpPortVar('archive'),
  grpcHost: { env: 'CONCORD_ARCHIVE_GRPC_HOST', type: 'string', default: '127.0.0.1', doc: 'Address the gRPC archive API binds to' },
  grpcPort: { env: 'CONCORD_ARCHIVE_GRPC_PORT', type: 'int', default: 50051, min: 0, max: 65535, doc: 'Port of the gRPC archive API (0: any free port)' },
  grpcCallers: {
    env: 'CONCORD_ARCHIVE_GRPC_CALLERS', type: 'list', default: [], itemPattern: CALLER_ITEM,
    doc: 'Callers of the gRPC archive API, comma-separated NAME:METHODS:TOKEN (bearer token) or NAME:METHODS (client certificate with CN=NAME); METHODS is * or Query+Sync+... (docs/grpc.md). None: every call is refused',
  },
  grpcTlsCert: { env: 'CONCORD_ARCHIVE_GRPC_TLS_CERT_FILE', type: 'string', default: '', doc: 'PEM certificate chain of the gRPC server (empty: plaintext, for loopback)' },
  grpcTlsKey: { env: 'CONCORD_ARCHIVE_GRPC_TLS_KEY_FILE', type: 'string', default: '', doc: 'PEM private key of the gRPC server' },
  grpcTlsClientCa: { env: 'CONCORD_ARCHIVE_GRPC_TLS_CLIENT_CA_FILE', type: 'string', default: '', doc: 'PEM CA bundle for client certificates: when set, every gRPC client must present one (mTLS)' },
  grpcApplyTimeout: {
    env: 'CONCORD_ARCHIVE_GRPC_APPLY_TIMEOUT', type: 'duration', default: 30_000, minMs: 100,
    doc: 'Longest DeleteAccountArchive and RetractMessage wait for the archive to apply their event (the call deadline may cut it shorter)',
  },
  writeRetryFor: {
    env: 'CONCORD_ARCHIVE_WRITE_RETRY_FOR', type: 'duration', default: 120_000, minMs: 1_000, maxMs: 3_600_000,
    doc: 'How long an archive write that fails for a transient reason (Cassandra unavailable, overloaded, timing out) is retried, holding the sender\'s ack and the account\'s later messages, before the sender is acked with an archive-failed notice (reason unavailable). A write Cassandra refuses is not retried (reason rejected)',
  },
  verifyWindow: {
    env: 'CONCORD_ARCHIVE_VERIFY_WINDOW', type: 'duration', default: 600_000, maxMs: 30 * 86_400_000,
    doc: 'At every start, and whenever Cassandra comes back after all its hosts were down, the archive reads back the rows of the history events stored this long before the last one it had applied, and repairs the holes a lost write left (0: off). Cover Cassandra\'s commit-log sync period plus the longest archive backlog. `concordctl archive verify` checks any range',
  },
  ...retentionSpec,
});

export type ArchiveConfig = ConfigOf<typeof archiveSpec>;

export function readArchiveConfig(env: Env): ArchiveConfig {
  const config = readConfig(archiveSpec, env);
  const problems: string[] = [];
  try {
    parseCallers(config.grpcCallers);
  } catch (err) {
    problems.push(`CONCORD_ARCHIVE_GRPC_CALLERS: ${(err as Error).message}`);
  }
  if (Boolean(config.grpcTlsCert) !== Boolean(config.grpcTlsKey)) problems.push('CONCORD_ARCHIVE_GRPC_TLS_CERT_FILE and CONCORD_ARCHIVE_GRPC_TLS_KEY_FILE go together');
  if (config.grpcTlsClientCa && !config.grpcTlsCert) problems.push('CONCORD_ARCHIVE_GRPC_TLS_CLIENT_CA_FILE needs CONCORD_ARCHIVE_GRPC_TLS_CERT_FILE and _KEY_FILE');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
