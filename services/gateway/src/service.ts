import type { IncomingMessage, ServerResponse } from 'node:http';
import { openBaseContext, ServiceHost, type Worker } from '@concord/runtime';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';

export interface GatewayOptions {
  overrides?: Partial<GatewayContext>;
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
}

export class GatewayService {
  private readonly host: ServiceHost;

  private constructor(readonly ctx: GatewayContext, opts: GatewayOptions) {
    this.host = new ServiceHost(ctx, { httpPort: ctx.config.httpPort, ...(opts.metricsHandler ? { metricsHandler: opts.metricsHandler } : {}) });
  }

  static async create(config: GatewayConfig, opts: GatewayOptions = {}): Promise<GatewayService> {
    return new GatewayService(await openBaseContext('gateway', config, opts.overrides), opts);
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
