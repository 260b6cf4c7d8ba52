import type { IncomingMessage, ServerResponse } from 'node:http';
import { openBaseContext, ServiceHost, type Worker } from '@concord/runtime';
import type { ArchiveConfig } from './config';
import type { ArchiveContext } from './context';

export interface ArchiveOptions {
  overrides?: Partial<ArchiveContext>;
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
}

export class ArchiveService {
  private readonly host: ServiceHost;

  private constructor(readonly ctx: ArchiveContext, opts: ArchiveOptions) {
    this.host = new ServiceHost(ctx, { httpPort: ctx.config.httpPort, ...(opts.metricsHandler ? { metricsHandler: opts.metricsHandler } : {}) });
  }

  static async create(config: ArchiveConfig, opts: ArchiveOptions = {}): Promise<ArchiveService> {
    return new ArchiveService(await openBaseContext('archive', config, opts.overrides), opts);
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
