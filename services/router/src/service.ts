import { BasicService, openBaseContext, type ServiceOptions } from '@concord/runtime';
import { ArchiveStore } from '@concord/storage';
import type { RouterConfig } from './config';
import type { RouterContext } from './context';
import { inboundWorker } from './consumers/inbound';

export type RouterOptions = ServiceOptions<RouterContext>;

/** Where a stanza is decided: reads accepted stanzas and reports their outcomes. */
export class RouterService extends BasicService<RouterConfig> {
  static async create(config: RouterConfig, opts: RouterOptions = {}): Promise<RouterService> {
    return new RouterService(await openBaseContext('router', config, opts.overrides), opts, (ctx) => [inboundWorker(ctx.bus, ctx.config.domain, new ArchiveStore(ctx.cassandra), ctx.log)]);
  }
}
