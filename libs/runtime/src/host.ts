import type { IncomingMessage, ServerResponse } from 'node:http';
import { cassandraReady } from '@concord/storage';
import { startHealthServer, type HealthServer, type ReadinessCheck } from '@concord/telemetry';
import { closeBaseContext, type BaseContext } from './base-context';

/** A unit of work a service runs: a consumer loop, a listener. Stopped in reverse start order. */
export interface Worker {
  readonly name: string;
  start(): Promise<void>;
  /** Stop taking new work, finish what is in hand. */
  stop(): Promise<void>;
}

export interface HostOptions {
  httpPort: number;
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  extraChecks?: ReadinessCheck[];
}

/**
 * Runs a service's workers with its health server, and shuts down in the order that loses
 * nothing: readiness off, workers drained, then connections closed.
 */
export class ServiceHost {
  private health: HealthServer | undefined;
  private started: Worker[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly ctx: BaseContext, private readonly opts: HostOptions) {}

  get httpPort(): number | undefined {
    return this.health?.port;
  }

  async start(workers: Worker[]): Promise<void> {
    const { ctx } = this;
    this.health = await startHealthServer({
      host: ctx.config.httpHost,
      port: this.opts.httpPort,
      service: ctx.service,
      log: ctx.log,
      checks: [
        { name: 'nats', check: () => ctx.bus.ready() },
        { name: 'cassandra', check: () => cassandraReady(ctx.cassandra) },
        ...(this.opts.extraChecks ?? []),
      ],
      ...(this.opts.metricsHandler ? { metricsHandler: this.opts.metricsHandler } : {}),
    });
    for (const w of workers) {
      await w.start();
      this.started.push(w);
      ctx.log.info({ worker: w.name }, 'worker started');
    }
    ctx.log.info({ node: ctx.config.nodeId }, 'service started');
  }

  /** Idempotent. */
  destroy(): Promise<void> {
    this.stopping ??= (async () => {
      const { ctx } = this;
      ctx.log.info('draining');
      this.health?.setDraining();
      for (const w of [...this.started].reverse()) {
        await w.stop().catch((err: unknown) => ctx.log.error({ err, worker: w.name }, 'worker stop failed'));
      }
      await closeBaseContext(ctx);
      await this.health?.close();
      ctx.log.info('stopped');
    })();
    return this.stopping;
  }
}
