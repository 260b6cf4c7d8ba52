import type { JetStreamManager } from '@nats-io/jetstream';
import { verifyArchive, type Hole, type HistoryStart, type VerifyReport } from '@concord/archive';
import type { BusNames } from '@concord/bus';
import { formatDuration } from '@concord/config';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { ArchiveStore, connectCassandra, type Retention } from '@concord/storage';
import { StreamProgress } from './archive-progress';
import { withHistoryStream } from './history-stream';

export interface VerifyCommand {
  /** One account's archive; undefined: every account's. */
  account: string | undefined;
  /** Where to start: the stream's first event unless given. */
  from: { sinceMs: number } | { seq: number } | undefined;
  repair: boolean;
  retention: Retention;
}

/** One hole as a tab-separated line: account, archive ID, position, kind, why. */
export function holeLine(h: Hole): string {
  return `hole\t${h.owner}\t${h.archiveId || '-'}\tposition ${h.position}\t${h.kind}: ${h.reason}`;
}

/** The closing line. */
export function verifySummary(r: VerifyReport, repair: boolean, seconds: string): string {
  const range = r.checked > 0 ? ` (positions ${r.firstPosition}..${r.lastPosition})` : '';
  const kinds = new Map<string, number>();
  for (const h of r.holes) kinds.set(h.kind, (kinds.get(h.kind) ?? 0) + 1);
  const holes = r.holes.length === 0 ? 'no holes' : `${r.holes.length} hole${r.holes.length === 1 ? '' : 's'} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`;
  const repaired = repair && r.holes.length > 0 ? `, ${r.repaired} repaired${r.failed.length > 0 ? `, ${r.failed.length} NOT repaired` : ''}` : '';
  const hint = !repair && r.holes.length > 0 ? '; run again with --repair to restore them from the stream' : '';
  return `verified: ${r.checked} events checked${range} in ${seconds}s: ${holes}${repaired}${hint}`;
}

/** What the archive has applied: its durable consumer's ack floor (0 when it never ran). */
async function archiveAckFloor(jsm: JetStreamManager, names: BusNames): Promise<number> {
  try {
    return (await jsm.consumers.info(names.stream('history'), names.durable('archive', 'history'))).ack_floor.stream_seq;
  } catch (err) {
    if (/consumer not found/i.test((err as Error).message)) return 0;
    throw err;
  }
}

/**
 * `concordctl archive verify`: reads the history stream over a range, reads back what the
 * archive holds of every event it has applied, prints each hole, and with `repair` applies
 * their events again (the archive's own verification, DESIGN §3.4, over any range). Safe
 * while the services run. Exit code 0 when no hole is left, 1 otherwise.
 */
export async function runVerify(c: CommonConfig, req: VerifyCommand, out: (s: string) => void): Promise<number> {
  return withHistoryStream(c, 'concordctl-archive-verify', out, async ({ js, jsm, names, stream, state }) => {
    const upTo = await archiveAckFloor(jsm, names);
    if (upTo === 0 || state.messages === 0) {
      out(`the archive has applied no event of ${stream} yet: nothing to verify`);
      return 0;
    }
    const from: HistoryStart = req.from === undefined ? { seq: state.firstSeq } : 'seq' in req.from ? req.from : { timeMs: Date.now() - req.from.sinceMs };
    const start = 'seq' in from ? `position ${from.seq}` : `events stored since ${new Date(from.timeMs).toISOString()}`;
    out(`verifying the archive of ${req.account ?? 'every account'} against ${stream}: from ${start} up to position ${upTo}, the last the archive has applied` +
      (state.lastSeq > upTo ? ` (${state.lastSeq - upTo} newer events are still being written)` : ''));
    if (req.retention.retentionMs > 0) out(`retention ${formatDuration(req.retention.retentionMs)}: older messages have expired and are not checked`);
    const client = await connectCassandra({ ...cassandraSettings(c), keyspace: c.cassandraKeyspace });
    try {
      let holes = 0;
      const progress = new StreamProgress(out, upTo, () => `${holes} holes`);
      const report = await verifyArchive({ js, jsm, names }, new ArchiveStore(client, req.retention), {
        from, upTo, repair: req.repair, ...(req.account === undefined ? {} : { account: req.account }),
        onRead: (seq) => progress.readAt(seq),
        onHole: (h) => {
          holes++;
          out(holeLine(h));
        },
        onRepaired: (h, result) => out(`repaired\t${h.owner}\t${h.archiveId || '-'}\tposition ${h.position}\t${result}`),
      });
      for (const f of report.failed) out(`NOT repaired\t${f.hole.owner}\t${f.hole.archiveId || '-'}\tposition ${f.hole.position}\t${f.error}`);
      out(verifySummary(report, req.repair, progress.seconds()));
      const left = req.repair ? report.failed.length : report.holes.length;
      return left === 0 ? 0 : 1;
    } finally {
      await client.shutdown();
    }
  });
}
