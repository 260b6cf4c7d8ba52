import type { IncomingMessage, ServerResponse } from 'node:http';
import { consumerDecls, type ConsumerDecl } from '@concord/bus';
import { cassandraReady } from '@concord/storage';
import { consumerLagSampler, startHealthServer, type HealthServer, type ReadinessCheck } from '@concord/telemetry';
import { closeBaseContext, type BaseContext } from './base-context';
import { settlesWithin } from './settle';

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
  /** Consumers of this node only (a gateway's commits), sampled for lag with the service's deployment-wide ones. */
  nodeConsumers?: ConsumerDecl[];
}

/** How often each service samples the lag of the durable consumers it reads. */
const LAG_SAMPLE_MS = 10_000;

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
        // A schema found behind after a start without Cassandra keeps the service unready.
        { name: 'cassandra', check: async () => ctx.schema?.current !== false && await cassandraReady(ctx.cassandra) },
        ...(this.opts.extraChecks ?? []),
      ],
      ...(this.opts.metricsHandler ? { metricsHandler: this.opts.metricsHandler } : {}),
    });
    for (const w of [this.lagSampler(), ...workers]) {
      await w.start();
      this.started.push(w);
      ctx.log.info({ worker: w.name }, 'worker started');
    }
    ctx.log.info({ node: ctx.config.nodeId }, 'service started');
  }

  /** The pending counts of the consumers this service reads (concord_consumer_pending). */
  private lagSampler(): Worker {
    const { bus, service, log } = this.ctx;
    const decls = [...consumerDecls(bus.names).filter((d) => d.service === service), ...(this.opts.nodeConsumers ?? [])];
    return consumerLagSampler({
      consumers: decls.map((d) => ({ stream: bus.names.stream(d.stream), durable: d.config.durable_name })),
      read: async (c) => {
        const info = await bus.jsm.consumers.info(c.stream, c.durable);
        return { pending: info.num_pending, ackPending: info.num_ack_pending };
      },
      intervalMs: LAG_SAMPLE_MS,
      onError: (c, err) => log.warn({ consumer: c.durable, err: err.message }, 'consumer lag not sampled'),
    });
  }

  /** Idempotent. */
  destroy(): Promise<void> {
    this.stopping ??= (async () => {
      const { ctx } = this;
      ctx.log.info('draining');
      this.health?.setDraining();
      // A worker waiting on a stalled dependency (a drain's flush to a frozen nats-server, a write
      // to a frozen Cassandra) would wait for ever: past the deadline the connections are closed
      // anyway. What it held unacknowledged is redelivered to another instance or the next start.
      const deadline = Date.now() + ctx.config.shutdownTimeout;
      for (const w of [...this.started].reverse()) {
        const stop = w.stop().catch((err: unknown) => ctx.log.error({ err, worker: w.name }, 'worker stop failed'));
        if (!await settlesWithin(stop, deadline - Date.now())) ctx.log.warn({ worker: w.name }, 'worker did not stop in time; closing the connections anyway');
      }
      await closeBaseContext(ctx);
      await this.health?.close();
      ctx.log.info('stopped');
    })();
    return this.stopping;
  }
}
