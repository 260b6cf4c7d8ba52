import { jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Client } from 'cassandra-driver';
import { applyHistoryEvent } from '@concord/archive';
import { busNames, partitionOf, type BusNames } from '@concord/bus';
import { formatDuration } from '@concord/config';
import { HistoryEventType, type HistoryEvent } from '@concord/events';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { ArchiveStore, clearAccountArchive, connectCassandra, truncateArchive, ttlSeconds, type Retention } from '@concord/storage';
import { Lanes } from './archive-lanes';
import { RebuildProgress, type ReplayOutcome } from './archive-progress';

/** Accounts replayed at once (each one's events in order). */
const MAX_IN_FLIGHT = 32;
/** Tries per event before the rebuild stops (Cassandra briefly unavailable is retried). */
const MAX_ATTEMPTS = 5;

export interface RebuildRequest {
  /** One account's archive; undefined: every account's. */
  account: string | undefined;
  /** Rebuild even though the stream has lost events whose rows would be cleared. */
  force: boolean;
  retention: Retention;
}

/**
 * What the history stream no longer holds: nothing; events whose rows have expired anyway
 * under the retention (the first event left is older than it, and the ones before it older
 * still); or events whose rows a rebuild would clear and cannot write again.
 */
export function lostHistory(firstSeq: number, firstEventMs: number | undefined, retention: Retention): 'none' | 'expired' | 'lost' {
  if (firstSeq <= 1) return 'none';
  if (retention.retentionMs > 0 && firstEventMs !== undefined && ttlSeconds(firstEventMs, retention) === undefined) return 'expired';
  return 'lost';
}

/**
 * `concordctl archive rebuild [ACCOUNT]`: clears the account's (or every) archive rows and
 * replays the history stream from its first sequence through the archive's own projection,
 * until it has caught up with the stream's end. Safe while the services run (see
 * docs/operations.md). Returns the process exit code.
 */
export async function runRebuild(c: CommonConfig, req: RebuildRequest, out: (s: string) => void): Promise<number> {
  const names = busNames(c.busPrefix, c.busPartitions);
  const stream = names.stream('history');
  const nc = await connect({ servers: c.natsUrls, name: 'concordctl-archive-rebuild' });
  try {
    const jsm = await jetstreamManager(nc);
    const state = await streamState(jsm, stream);
    if (!state) {
      out(`the history stream ${stream} does not exist (is CONCORD_BUS_PREFIX right?)`);
      return 1;
    }
    const scope = req.account ?? 'every account';
    const range = state.messages > 0 ? `sequences ${state.firstSeq}..${state.lastSeq}` : 'no events';
    out(`rebuilding the archive of ${scope} from ${stream} (${range})`);
    if (req.retention.retentionMs > 0) out(`retention ${formatDuration(req.retention.retentionMs)}: older messages are skipped, rows expire by TTL`);
    const lost = lostHistory(state.firstSeq, state.messages > 0 ? await eventTime(jsm, stream, state.firstSeq) : undefined, req.retention);
    if (lost !== 'none') {
      const gone = `the history stream starts at sequence ${state.firstSeq}: the events before it are gone (CONCORD_HISTORY_MAX_AGE ${formatDuration(c.historyMaxAge)})`;
      if (lost === 'lost' && !req.force) {
        out(`${gone}, and the archive rows they made would be cleared and cannot be rebuilt. Nothing was changed; run again with --force to rebuild from sequence ${state.firstSeq}.`);
        return 1;
      }
      out(`${gone}; ${lost === 'expired' ? 'their rows have expired under the retention' : 'their rows are cleared and not rebuilt (--force)'}`);
    }
    const client = await connectCassandra({ ...cassandraSettings(c), keyspace: c.cassandraKeyspace });
    try {
      out(await clear(client, req.account, state.firstSeq));
      const progress = new RebuildProgress(out, state.lastSeq);
      await replay(nc, names, new ArchiveStore(client, req.retention), req.account, state.firstSeq, progress);
      out(progress.summary());
      return 0;
    } finally {
      await client.shutdown();
    }
  } finally {
    await nc.close();
  }
}

interface StreamState {
  firstSeq: number;
  lastSeq: number;
  messages: number;
}

async function streamState(jsm: JetStreamManager, stream: string): Promise<StreamState | undefined> {
  try {
    const { state } = await jsm.streams.info(stream);
    return { firstSeq: state.first_seq, lastSeq: state.last_seq, messages: state.messages };
  } catch (err) {
    if (/stream not found/i.test((err as Error).message)) return undefined;
    throw err;
  }
}

async function eventTime(jsm: JetStreamManager, stream: string, seq: number): Promise<number | undefined> {
  const m = await jsm.streams.getMessage(stream, { seq });
  if (!m) return undefined;
  try {
    return Number(HistoryEventType.fns.decode(m.data).timestampMs);
  } catch {
    return undefined;
  }
}

async function clear(client: Client, account: string | undefined, firstSeq: number): Promise<string> {
  if (account === undefined) {
    await truncateArchive(client);
    return 'cleared the archive tables of every account (TRUNCATE)';
  }
  const buckets = await clearAccountArchive(client, account, firstSeq);
  return `cleared the archive of ${account} (${buckets} bucket${buckets === 1 ? '' : 's'})`;
}

/**
 * Reads the stream (only the account's partition for one account) from `firstSeq` with an
 * ordered consumer and applies each event at its sequence. It stops once every event read
 * has been applied and the stream holds no newer one: an event the live archive applies
 * after that point finds every earlier row written, so a deletion or retraction it makes is
 * never undone by this replay.
 */
async function replay(nc: NatsConnection, names: BusNames, store: ArchiveStore, account: string | undefined, firstSeq: number, progress: RebuildProgress): Promise<void> {
  const subject = account === undefined ? undefined : names.subjects.history(partitionOf(account, names.partitions));
  const consumer = await jetstream(nc).consumers.get(names.stream('history'), { opt_start_seq: firstSeq, ...(subject ? { filter_subjects: subject } : {}) });
  try {
    if ((await consumer.info()).num_pending === 0) return;
    const lanes = new Lanes(MAX_IN_FLIGHT);
    const messages = await consumer.consume({ max_messages: 512 });
    try {
      for await (const m of messages) {
        progress.readAt(m.seq);
        const event = decode(m);
        if (!event || (account !== undefined && event.owner !== account)) progress.counted(event ? 'other-account' : 'undecodable');
        else await lanes.push(event.owner, async () => progress.counted(await applyWithRetry(store, event, m.seq)));
        if (m.info.pending > 0) continue;
        await lanes.drain();
        if ((await consumer.info()).num_pending === 0) break;
      }
      await lanes.drain();
    } finally {
      await messages.close();
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}

function decode(m: JsMsg): HistoryEvent | undefined {
  try {
    return HistoryEventType.fns.decode(m.data);
  } catch {
    return undefined;
  }
}

async function applyWithRetry(store: ArchiveStore, event: HistoryEvent, seq: number): Promise<ReplayOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyHistoryEvent(store, event, seq);
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`the event at position ${seq} (${event.owner}) could not be applied: ${(err as Error).message}; run the rebuild again`);
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}
