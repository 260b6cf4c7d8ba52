import { backoffMs, type Backoff, type Bus } from '@concord/bus';
import type { Logger } from '@concord/log';
import type { Worker } from '@concord/runtime';
import type { ArchiveStore } from '@concord/storage';
import type { Watermark } from '../consumers/watermark';
import { watchCluster } from './cluster-watch';
import { storedAt } from './history-range';
import { verifyMetrics } from './metrics';
import { verifyArchive } from './verify';

export type VerifyTrigger = 'start' | 'cassandra-back';

/**
 * A failed verification runs again after 1 s, 2 s, 4 s ... up to 30 s, this many times: the
 * driver reports a node up before its connection pool is, so the first try often fails.
 */
const MAX_RETRIES = 10;
const RETRY: Backoff = { firstMs: 1_000, maxMs: 30_000 };

/** Longest wait for the events handed to the archive before Cassandra came back to be handled. */
const SETTLE_WAIT_MS = 60_000;

/**
 * DESIGN §3.4: after any restart the archive verifies and repairs itself from the history
 * stream. At start, and whenever Cassandra comes back after all its hosts were down, the
 * events applied in the last `windowMs` before the committed watermark (by the time the stream
 * stored them) are read back and the holes repaired, in the background: acks go on meanwhile.
 * Runs never overlap; a trigger during a run runs once more after it.
 */
export function verifyWorker(bus: Bus, store: ArchiveStore, log: Logger, watermark: Watermark, opts: { windowMs: number }): Worker {
  const abort = new AbortController();
  let unwatch: (() => void) | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let queued = false;

  /** Resolves when the watermark reaches `position`, after SETTLE_WAIT_MS, or at stop: no timer outlives it. */
  const settled = (position: number) => new Promise<void>((resolve) => {
    if (watermark.position >= position) return resolve();
    const done = () => {
      off();
      clearTimeout(timer);
      abort.signal.removeEventListener('abort', done);
      resolve();
    };
    const off = watermark.onAdvance((p) => {
      if (p >= position) done();
    });
    const timer = setTimeout(done, SETTLE_WAIT_MS);
    abort.signal.addEventListener('abort', done);
  });

  /**
   * The last position to check. At start, what the archive had applied before (the watermark
   * starts at the consumer's ack floor). When Cassandra is back, every event delivered to the
   * archive so far, once it has handled them: those written just before the crash are the
   * ones a node can lose, and the ones still retrying are written by the consumer itself.
   */
  const lastToCheck = async (trigger: VerifyTrigger): Promise<number> => {
    if (trigger === 'start') return watermark.position;
    const info = await bus.jsm.consumers.info(bus.names.stream('history'), bus.names.durable('archive', 'history'));
    await settled(info.delivered.stream_seq);
    return watermark.position;
  };

  const once = async (trigger: VerifyTrigger): Promise<void> => {
    const upTo = await lastToCheck(trigger);
    if (upTo <= 0 || abort.signal.aborted) return;
    const started = Date.now();
    const end = (await storedAt(bus.jsm, bus.names, upTo)) ?? started;
    log.info({ trigger, upTo, windowMs: opts.windowMs }, 'verifying the archive against the history stream');
    const m = verifyMetrics();
    const report = await verifyArchive(bus, store, {
      from: { timeMs: end - opts.windowMs }, upTo, repair: true, signal: abort.signal,
      onHole: (h) => {
        m.holes.add(1, { kind: h.kind });
        log.warn({ owner: h.owner, archiveId: h.archiveId, position: h.position, kind: h.kind, why: h.reason }, 'archive hole found; repairing it from the history stream');
      },
      onRepaired: (h, result) => {
        m.repaired.add(1, { kind: h.kind });
        log.info({ owner: h.owner, archiveId: h.archiveId, position: h.position, kind: h.kind, result }, 'archive hole repaired');
      },
    });
    m.checked.add(report.checked);
    for (const f of report.failed) log.error({ owner: f.hole.owner, archiveId: f.hole.archiveId, position: f.hole.position, err: f.error }, 'archive hole not repaired');
    const result = report.aborted ? 'aborted' : report.failed.length > 0 ? 'failed' : 'ok';
    m.runs.add(1, { trigger, result });
    log.info({
      trigger, result, checked: report.checked, from: report.firstPosition, to: report.lastPosition,
      holes: report.holes.length, repaired: report.repaired, failed: report.failed.length, ms: Date.now() - started,
    }, 'archive verified');
  };

  const run = (trigger: VerifyTrigger, attempt = 1): void => {
    if (abort.signal.aborted) return;
    if (queued) return;
    queued = true;
    chain = chain.then(async () => {
      queued = false;
      try {
        await once(trigger);
      } catch (err) {
        verifyMetrics().runs.add(1, { trigger, result: 'error' });
        log.warn({ trigger, attempt, err: (err as Error).message }, attempt < MAX_RETRIES ? 'archive verification failed; trying again' : 'archive verification failed; giving up until the next trigger');
        if (attempt < MAX_RETRIES && !abort.signal.aborted) {
          clearTimeout(retryTimer);
          retryTimer = setTimeout(() => run(trigger, attempt + 1), backoffMs(RETRY, attempt)).unref();
        }
      }
    });
  };

  return {
    name: 'verify',
    async start() {
      if (opts.windowMs <= 0) return;
      unwatch = watchCluster(store.client, {
        allDown: () => log.warn('every Cassandra host is down; the archive verifies its recent rows when one is back'),
        back: () => {
          log.info('Cassandra is back after all its hosts were down');
          run('cassandra-back');
        },
      });
      run('start');
    },
    async stop() {
      abort.abort();
      clearTimeout(retryTimer);
      unwatch?.();
      await chain;
    },
  };
}
