import type { IncomingMessage, ServerResponse } from 'node:http';
import { openBaseContext, ServiceHost, type Worker } from '@concord/runtime';
import type { PushConfig } from './config';
import type { PushContext } from './context';

export interface PushOptions {
  overrides?: Partial<PushContext>;
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
}

export class PushService {
  private readonly host: ServiceHost;

  private constructor(readonly ctx: PushContext, opts: PushOptions) {
    this.host = new ServiceHost(ctx, { httpPort: ctx.config.httpPort, ...(opts.metricsHandler ? { metricsHandler: opts.metricsHandler } : {}) });
  }

  static async create(config: PushConfig, opts: PushOptions = {}): Promise<PushService> {
    return new PushService(await openBaseContext('push', config, opts.overrides), opts);
  }

  get httpPort(): number | undefined {
    return this.host.httpPort;
  }

  async start(): Promise<void> {
    const workers: Worker[] = [];
    await this.host.start(workers);
  }

  destroy(): Promise<void> {
    return this.host.destroy();
  }
}
