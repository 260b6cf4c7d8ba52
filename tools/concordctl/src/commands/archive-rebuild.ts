import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Client } from 'cassandra-driver';
import { applyWithRetry, historyLastSeq, Lanes, readHistory } from '@concord/archive';
import type { BusNames } from '@concord/bus';
import { formatDuration } from '@concord/config';
import { HistoryEventType } from '@concord/events';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { ArchiveStore, clearAccountArchive, connectCassandra, truncateArchive, ttlSeconds, type Retention } from '@concord/storage';
import { RebuildProgress } from './archive-progress';
import { withHistoryStream } from './history-stream';

/** Accounts replayed at once (each one's events in order). */
const MAX_IN_FLIGHT = 32;

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
  return withHistoryStream(c, 'concordctl-archive-rebuild', out, async ({ js, jsm, names, stream, state }) => {
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
      await replay(js, jsm, names, new ArchiveStore(client, req.retention), req.account, state.firstSeq, progress);
      out(progress.summary());
      return 0;
    } finally {
      await client.shutdown();
    }
  });
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
 * Reads the stream (only the account's partition for one account) from `firstSeq` and applies
 * each event at its sequence. It stops once every event read has been applied and a read of
 * the newer ones finds none: an event the live archive applies after that point finds every
 * earlier row written, so a deletion or retraction it makes is never undone by this replay.
 */
async function replay(js: JetStreamClient, jsm: JetStreamManager, names: BusNames, store: ArchiveStore, account: string | undefined, firstSeq: number, progress: RebuildProgress): Promise<void> {
  const lanes = new Lanes(MAX_IN_FLIGHT);
  for (let from = firstSeq; ;) {
    const last = (await historyLastSeq(jsm, names)) ?? 0;
    if (last < from) return;
    let read = 0;
    for await (const { seq, event } of readHistory(js, names, { from: { seq: from }, upTo: last, ...(account === undefined ? {} : { account }) })) {
      read++;
      progress.readAt(seq);
      if (!event || (account !== undefined && event.owner !== account)) progress.counted(event ? 'other-account' : 'undecodable');
      else await lanes.push(event.owner, async () => progress.counted(await applyWithRetry(store, event, seq)));
    }
    try {
      await lanes.drain();
    } catch (err) {
      throw new Error(`${(err as Error).message}; run the rebuild again`);
    }
    if (read === 0) return;
    from = last + 1;
  }
}
