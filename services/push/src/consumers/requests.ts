import { consumeEvents, consumerDecls, type Bus, type RunningConsumer, type Verdict } from '@concord/bus';
import { PushRequestEvent } from '@concord/events';
import type { Worker } from '@concord/runtime';
import { KeyedQueue } from '../notify/keyed-queue';
import { notifyRequest, type NotifyDeps } from '../notify/notify-request';
import { retryDelay } from '../notify/retry';

/** The push consumer's max_deliver, as the bus registry declares it. */
export function pushMaxDeliveries(bus: Bus): number {
  const decl = consumerDecls(bus.names).find((c) => c.stream === 'push' && c.service === 'push');
  if (!decl?.config.max_deliver) throw new Error('the bus registry declares no push consumer with max_deliver');
  return decl.config.max_deliver;
}

/**
 * Reads push requests (a work queue: each is removed once handled). Order does not matter
 * here, so `concurrency` loops share the durable consumer, one request in hand each: one slow
 * app server does not hold back the others (one account's requests are taken in turn). A handler failure (Cassandra, the registry) is
 * retried with the same backoff, and given up on after the last delivery like any other.
 */
export function requestsWorker(bus: Bus, deps: Omit<NotifyDeps, 'maxDeliveries'>, concurrency: number): Worker {
  const running: RunningConsumer[] = [];
  return {
    name: 'push-requests',
    async start() {
      const full: NotifyDeps = { ...deps, maxDeliveries: pushMaxDeliveries(bus) };
      const perAccount = new KeyedQueue();
      const opts = { stream: bus.names.stream('push'), durable: bus.names.durable('push', 'requests'), log: deps.log, batch: 1 };
      for (let i = 0; i < concurrency; i++) {
        running.push(await consumeEvents(bus.js, PushRequestEvent, opts, async (d): Promise<Verdict> => {
          try {
            return await perAccount.run(d.value.account, () => notifyRequest(full, d));
          } catch (err) {
            const reason = (err as Error).message;
            if (d.deliveryCount >= full.maxDeliveries) {
              // Removed from the work queue (a terminated message would stay there until max_age).
              deps.log.error({ account: d.value.account, archiveId: d.value.archiveId, reason }, `push request given up after ${d.deliveryCount} attempts`);
              return { kind: 'ack' };
            }
            return { kind: 'retry', delayMs: retryDelay(d.deliveryCount, deps.retry.baseMs, deps.retry.maxMs), reason };
          }
        }));
      }
    },
    async stop() {
      await Promise.all(running.splice(0).map((r) => r.stop()));
    },
  };
}
