import { metrics, type BatchObservableCallback } from '@opentelemetry/api';

/** A durable JetStream consumer a service reads. */
export interface ConsumerRef {
  stream: string;
  durable: string;
}

/** What the server says of a consumer: messages not yet delivered, and delivered but not acked. */
export interface ConsumerCounts {
  pending: number;
  ackPending: number;
}

export interface ConsumerLagOptions {
  consumers: ConsumerRef[];
  /** One consumer-info round trip to the server. */
  read(c: ConsumerRef): Promise<ConsumerCounts>;
  intervalMs: number;
  /** Called when a read fails (the last sample is kept). */
  onError?(c: ConsumerRef, err: Error): void;
}

export interface ConsumerLagSampler {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Consumer lag per stream (concord_consumer_pending, concord_consumer_ack_pending): sampled
 * every `intervalMs` by the service that reads the consumers, so a scrape never waits on
 * JetStream; the gauges report the last sample.
 */
export function consumerLagSampler(opts: ConsumerLagOptions): ConsumerLagSampler {
  const last = new Map<ConsumerRef, ConsumerCounts>();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let unobserve = () => undefined as void;
  const sample = async () => {
    await Promise.all(opts.consumers.map(async (c) => {
      try {
        last.set(c, await opts.read(c));
      } catch (err) {
        opts.onError?.(c, err as Error);
      }
    }));
  };
  return {
    name: 'consumer-lag',
    async start() {
      const meter = metrics.getMeter('@concord/telemetry');
      const pending = meter.createObservableGauge('concord_consumer_pending', { description: 'Messages of the stream not yet delivered to the durable consumer' });
      const ackPending = meter.createObservableGauge('concord_consumer_ack_pending', { description: 'Messages delivered to the durable consumer and not yet acknowledged' });
      const observe: BatchObservableCallback = (r) => {
        for (const [c, n] of last) {
          const attrs = { stream: c.stream, consumer: c.durable };
          r.observe(pending, n.pending, attrs);
          r.observe(ackPending, n.ackPending, attrs);
        }
      };
      meter.addBatchObservableCallback(observe, [pending, ackPending]);
      unobserve = () => meter.removeBatchObservableCallback(observe, [pending, ackPending]);
      await sample();
      timer = setInterval(() => {
        inFlight = sample();
      }, opts.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await inFlight;
      unobserve();
    },
  };
}
