import type { IncomingMessage, ServerResponse } from 'node:http';
import { openBaseContext, ServiceHost, type Worker } from '@concord/runtime';
import type { RouterConfig } from './config';
import type { RouterContext } from './context';
import { inboundWorker } from './consumers/inbound';

export interface RouterOptions {
  overrides?: Partial<RouterContext>;
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
}

export class RouterService {
  private readonly host: ServiceHost;

  private constructor(readonly ctx: RouterContext, opts: RouterOptions) {
    this.host = new ServiceHost(ctx, { httpPort: ctx.config.httpPort, ...(opts.metricsHandler ? { metricsHandler: opts.metricsHandler } : {}) });
  }

  static async create(config: RouterConfig, opts: RouterOptions = {}): Promise<RouterService> {
    return new RouterService(await openBaseContext('router', config, opts.overrides), opts);
  }

  get httpPort(): number | undefined {
    return this.host.httpPort;
  }

  async start(): Promise<void> {
    const workers: Worker[] = [inboundWorker(this.ctx.bus, this.ctx.log)];
    await this.host.start(workers);
  }

  destroy(): Promise<void> {
    return this.host.destroy();
  }
}
