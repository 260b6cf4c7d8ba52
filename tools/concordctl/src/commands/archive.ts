import { retentionSpec } from '@concord/archive';
import { parseDuration, readConfig, type Env } from '@concord/config';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { archiveStats, connectCassandra, retentionOf } from '@concord/storage';
import { commandArgs, UsageError } from '../args';
import { bareJid } from './account';
import { runRebuild } from './archive-rebuild';
import { formatArchiveStats } from './archive-stats';
import { runVerify, type VerifyCommand } from './archive-verify';

export const ARCHIVE_USAGE = `  archive stats ACCOUNT [--json]       message count, first and last archive ID and time, buckets
  archive rebuild [ACCOUNT] [--force]  clear the archive rows of ACCOUNT (or of every account) and replay the
                                       history stream into them; --force: even if the stream lost old events
  archive verify [--account JID] [--since DURATION|--from-seq N] [--repair]
                                       read back the rows of every history event the archive has applied
                                       (from the stream's start, or events stored since DURATION ago, or from
                                       position N) and list the holes; --repair: apply their events again`;

/** Options of `archive verify`. */
export function parseVerifyArgs(args: string[], domain: string): Omit<VerifyCommand, 'retention'> {
  const { values } = commandArgs(args, { account: { type: 'string' }, since: { type: 'string' }, 'from-seq': { type: 'string' }, repair: { type: 'boolean' } }, 0);
  const repair = values.repair === true;
  if (values.since !== undefined && values['from-seq'] !== undefined) throw new UsageError('give --since or --from-seq, not both');
  const account = values.account !== undefined ? bareJid(values.account, domain).toString() : undefined;
  const since = values.since;
  const fromSeq = values['from-seq'];
  if (since !== undefined) {
    const sinceMs = parseDuration(since);
    if (sinceMs === undefined || sinceMs <= 0) throw new UsageError(`--since ${since}: a duration such as 30m, 6h or 7d`);
    return { account, from: { sinceMs }, repair };
  }
  if (fromSeq !== undefined) {
    const seq = Number(fromSeq);
    if (!Number.isInteger(seq) || seq < 1) throw new UsageError(`--from-seq ${fromSeq}: a stream sequence (1 or more)`);
    return { account, from: { seq }, repair };
  }
  return { account, from: undefined, repair };
}

/** `concordctl archive ...`; returns the process exit code. */
export async function runArchive(c: CommonConfig, env: Env, args: string[], out: (s: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  // The retention is the archive's own setting: a rebuild or a repair must expire rows as it does.
  const retention = () => retentionOf(readConfig(retentionSpec, env).archiveRetention);
  if (sub === 'verify') return runVerify(c, { ...parseVerifyArgs(rest, c.domain), retention: retention() }, out);
  switch (sub) {
    case 'stats': {
      const { values, positionals } = commandArgs(rest, { json: { type: 'boolean' } }, 1);
      const account = bareJid(positionals[0], c.domain).toString();
      const client = await connectCassandra({ ...cassandraSettings(c), keyspace: c.cassandraKeyspace });
      try {
        const stats = await archiveStats(client, account);
        out(values.json ? JSON.stringify(stats, null, 2) : formatArchiveStats(stats).join('\n'));
        return 0;
      } finally {
        await client.shutdown();
      }
    }
    case 'rebuild': {
      const { values, positionals } = commandArgs(rest, { force: { type: 'boolean' } }, 1);
      const account = positionals[0] === undefined ? undefined : bareJid(positionals[0], c.domain).toString();
      return runRebuild(c, { account, force: values.force === true, retention: retention() }, out);
    }
    default:
      throw new UsageError(`unknown archive command ${JSON.stringify(sub ?? '')}`);
  }
}
