import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { concord } from '@concord/proto';
import type { Worker } from '@concord/runtime';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import type { ArchiveConfig } from '../config';
import type { ApiDeps } from './deps';
import { serverStream, unary } from './guard';
import { deleteAccountArchive } from './handlers/delete-account-archive';
import { getMessages } from './handlers/get-messages';
import { listConversations } from './handlers/list-conversations';
import { query } from './handlers/query';
import { retractMessage } from './handlers/retract-message';
import { sync } from './handlers/sync';

const v1 = concord.archive.v1;
export const ARCHIVE_SERVICE_NAME = v1.ArchiveServiceClient.serviceName;

/** How long a stopping server lets calls in flight finish before it cuts them. */
const SHUTDOWN_GRACE_MS = 5_000;

function handlers(deps: ApiDeps): concord.archive.v1.ArchiveServiceServer {
  return {
    query: unary('Query', deps, (req: concord.archive.v1.QueryRequest) => query(req, deps)),
    getMessages: unary('GetMessages', deps, (req: concord.archive.v1.GetMessagesRequest) => getMessages(req, deps)),
    sync: serverStream('Sync', deps, (req: concord.archive.v1.SyncRequest, call, ctx) => sync(req, call, deps, ctx)),
    listConversations: unary('ListConversations', deps, (req: concord.archive.v1.ListConversationsRequest) => listConversations(req, deps)),
    deleteAccountArchive: unary('DeleteAccountArchive', deps, (req: concord.archive.v1.DeleteAccountArchiveRequest, ctx) => deleteAccountArchive(req, deps, ctx)),
    retractMessage: unary('RetractMessage', deps, (req: concord.archive.v1.RetractMessageRequest, ctx) => retractMessage(req, deps, ctx)),
  };
}

/** The .proto files the server describes through reflection: the archive API and health. */
function reflectedProtos() {
  const protoRoot = dirname(require.resolve('@concord/proto/package.json'));
  return loadSync([join(protoRoot, 'concord', 'archive', 'v1', 'archive.proto'), healthProtoPath], { includeDirs: [protoRoot, dirname(healthProtoPath)] });
}

function credentials(config: ArchiveConfig): ServerCredentials {
  if (!config.grpcTlsCert) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    config.grpcTlsClientCa ? readFileSync(config.grpcTlsClientCa) : null,
    [{ cert_chain: readFileSync(config.grpcTlsCert), private_key: readFileSync(config.grpcTlsKey) }],
    Boolean(config.grpcTlsClientCa),
  );
}

export interface GrpcWorker extends Worker {
  /** The bound port once started (useful with port 0). */
  readonly port: number | undefined;
}

/**
 * The gRPC archive API for internal teams, with the grpc.health.v1 service (SERVING while the
 * worker runs) and server reflection. Health and reflection need no credentials; every archive
 * method does.
 */
export function grpcWorker(config: ArchiveConfig, deps: Omit<ApiDeps, 'stopping'>): GrpcWorker {
  const stopping = new AbortController();
  const health = new HealthImplementation({ '': 'NOT_SERVING', [ARCHIVE_SERVICE_NAME]: 'NOT_SERVING' });
  let server: Server | undefined;
  let port: number | undefined;
  const setHealth = (s: 'SERVING' | 'NOT_SERVING') => ['', ARCHIVE_SERVICE_NAME].forEach((name) => health.setStatus(name, s));
  return {
    name: 'grpc-api',
    get port() {
      return port;
    },
    async start() {
      const s = new Server();
      s.addService(v1.ArchiveServiceService, handlers({ ...deps, stopping: stopping.signal }));
      health.addToServer(s);
      new ReflectionService(reflectedProtos()).addToServer(s);
      const host = config.grpcHost.includes(':') ? `[${config.grpcHost}]` : config.grpcHost;
      port = await new Promise<number>((resolve, reject) => s.bindAsync(`${host}:${config.grpcPort}`, credentials(config), (err, p) => (err ? reject(err) : resolve(p))));
      server = s;
      setHealth('SERVING');
      if (deps.callers.empty) deps.log.warn('gRPC archive API: no callers configured (CONCORD_ARCHIVE_GRPC_CALLERS), every archive call will be refused with UNAUTHENTICATED');
      if (!config.grpcTlsCert && !['127.0.0.1', '::1', 'localhost'].includes(config.grpcHost)) {
        deps.log.warn({ host: config.grpcHost }, 'gRPC archive API listens beyond loopback without TLS: bearer tokens travel in clear');
      }
      deps.log.info({ host: config.grpcHost, port, tls: Boolean(config.grpcTlsCert), mtls: Boolean(config.grpcTlsClientCa), callers: deps.callers.callers.map((c) => c.name) }, 'gRPC archive API listening');
    },
    async stop() {
      if (!server) return;
      const s = server;
      setHealth('NOT_SERVING');
      stopping.abort();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          s.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        s.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
