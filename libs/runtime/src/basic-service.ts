import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BaseContext } from './base-context';
import type { CommonConfig } from './common-config';
import { ServiceHost, type Worker } from './host';

export interface ServiceOptions<Ctx> {
  overrides?: Partial<Ctx>;
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * A service that is its context plus a list of workers run under a ServiceHost (health
 * server, ordered drain). Services subclass it with a static create() that opens the context.
 */
export class BasicService<C extends CommonConfig & { httpPort: number }, Ctx extends BaseContext<C> = BaseContext<C>> {
  private readonly host: ServiceHost;

  protected constructor(readonly ctx: Ctx, opts: ServiceOptions<Ctx>, private readonly workers: (ctx: Ctx) => Worker[]) {
    this.host = new ServiceHost(ctx, { httpPort: ctx.config.httpPort, ...(opts.metricsHandler ? { metricsHandler: opts.metricsHandler } : {}) });
  }

  get httpPort(): number | undefined {
    return this.host.httpPort;
  }

  start(): Promise<void> {
    return this.host.start(this.workers(this.ctx));
  }

  destroy(): Promise<void> {
    return this.host.destroy();
  }
}
