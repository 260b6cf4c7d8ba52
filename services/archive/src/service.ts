import { BasicService, openBaseContext, type ServiceOptions } from '@concord/runtime';
import { ArchiveStore } from '@concord/storage';
import type { ArchiveConfig } from './config';
import type { ArchiveContext } from './context';
import { historyWorker } from './consumers/history';
import { queriesWorker } from './consumers/queries';
import { Watermark } from './consumers/watermark';

export type ArchiveOptions = ServiceOptions<ArchiveContext>;

/** Where a message is stored: projects the history stream into the per-account archive. */
export class ArchiveService extends BasicService<ArchiveConfig> {
  static async create(config: ArchiveConfig, opts: ArchiveOptions = {}): Promise<ArchiveService> {
    return new ArchiveService(await openBaseContext('archive', config, opts.overrides), opts,
      (ctx) => {
        const store = new ArchiveStore(ctx.cassandra);
        const watermark = new Watermark();
        return [historyWorker(ctx.bus, store, ctx.log, watermark), queriesWorker(ctx.bus, store, ctx.log, watermark)];
      });
  }
}
