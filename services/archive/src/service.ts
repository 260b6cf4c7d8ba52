import { BasicService, openBaseContext, type ServiceOptions } from '@concord/runtime';
import { ArchiveLifecycleStore, ArchiveStore, ConversationStore, retentionOf } from '@concord/storage';
import type { ArchiveConfig } from './config';
import type { ArchiveContext } from './context';
import { historyWorker } from './consumers/history';
import { queriesWorker } from './consumers/queries';
import { Watermark } from './consumers/watermark';
import { CallerRegistry, parseCallers } from './grpc/callers';
import { grpcWorker, type GrpcWorker } from './grpc/server';
import { verifyWorker } from './verify/worker';

export type ArchiveOptions = ServiceOptions<ArchiveContext>;

/**
 * Where a message is stored: projects the history stream into the per-account archive, and
 * serves it to sessions (XEP-0313 over NATS) and to internal teams (the gRPC archive API).
 */
export class ArchiveService extends BasicService<ArchiveConfig> {
  private grpc: GrpcWorker | undefined;

  /** Port of the gRPC archive API once started. */
  get grpcPort(): number | undefined {
    return this.grpc?.port;
  }

  static async create(config: ArchiveConfig, opts: ArchiveOptions = {}): Promise<ArchiveService> {
    const service: ArchiveService = new ArchiveService(await openBaseContext('archive', config, opts.overrides), opts,
      (ctx) => {
        const store = new ArchiveStore(ctx.cassandra, retentionOf(config.archiveRetention));
        const watermark = new Watermark();
        service.grpc = grpcWorker(config, {
          store, watermark, bus: ctx.bus, log: ctx.log,
          conversations: new ConversationStore(ctx.cassandra),
          lifecycle: new ArchiveLifecycleStore(ctx.cassandra),
          callers: new CallerRegistry(parseCallers(config.grpcCallers)),
          applyTimeoutMs: config.grpcApplyTimeout,
        });
        return [
          historyWorker(ctx.bus, store, ctx.log, watermark, { retryForMs: config.writeRetryFor }),
          // After the history worker, which sets the watermark to what the archive had applied.
          verifyWorker(ctx.bus, store, ctx.log, watermark, { windowMs: config.verifyWindow }),
          queriesWorker(ctx.bus, store, ctx.log, watermark), service.grpc,
        ];
      });
    return service;
  }
}
