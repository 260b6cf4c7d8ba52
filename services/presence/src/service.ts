import type { IncomingMessage, ServerResponse } from 'node:http';
import { openBaseContext, ServiceHost, type Worker } from '@concord/runtime';
import type { PresenceConfig } from './config';
import type { PresenceContext } from './context';

export interface PresenceOptions {
  overrides?: Partial<PresenceContext>;
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
}

export class PresenceService {
  private readonly host: ServiceHost;

  private constructor(readonly ctx: PresenceContext, opts: PresenceOptions) {
    this.host = new ServiceHost(ctx, { httpPort: ctx.config.httpPort, ...(opts.metricsHandler ? { metricsHandler: opts.metricsHandler } : {}) });
  }

  static async create(config: PresenceConfig, opts: PresenceOptions = {}): Promise<PresenceService> {
    return new PresenceService(await openBaseContext('presence', config, opts.overrides), opts);
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
