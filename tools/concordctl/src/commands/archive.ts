import { retentionSpec } from '@concord/archive';
import { parseDuration, readConfig, type Env } from '@concord/config';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { archiveStats, connectCassandra, retentionOf } from '@concord/storage';
import { bareJid, UsageError } from './account';
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

/** Options of `archive verify`: `--name value` pairs and the --repair flag. */
export function parseVerifyArgs(args: string[], domain: string): Omit<VerifyCommand, 'retention'> {
  const values = new Map<string, string>();
  let repair = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--repair') repair = true;
    else if (a === '--account' || a === '--since' || a === '--from-seq') {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      values.set(a, v);
    } else throw new UsageError(a.startsWith('--') ? `unknown option ${a}` : `unexpected argument ${a}`);
  }
  if (values.has('--since') && values.has('--from-seq')) throw new UsageError('give --since or --from-seq, not both');
  const account = values.has('--account') ? bareJid(values.get('--account'), domain).toString() : undefined;
  const since = values.get('--since');
  const fromSeq = values.get('--from-seq');
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
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const positional = rest.filter((a) => !a.startsWith('--'));
  const allowed = sub === 'stats' ? ['--json'] : ['--force'];
  const unknown = [...flags].filter((f) => !allowed.includes(f));
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown[0]}`);
  switch (sub) {
    case 'stats': {
      const account = bareJid(positional[0], c.domain).toString();
      const client = await connectCassandra({ ...cassandraSettings(c), keyspace: c.cassandraKeyspace });
      try {
        const stats = await archiveStats(client, account);
        out(flags.has('--json') ? JSON.stringify(stats, null, 2) : formatArchiveStats(stats).join('\n'));
        return 0;
      } finally {
        await client.shutdown();
      }
    }
    case 'rebuild': {
      const account = positional[0] === undefined ? undefined : bareJid(positional[0], c.domain).toString();
      return runRebuild(c, { account, force: flags.has('--force'), retention: retention() }, out);
    }
    default:
      throw new UsageError(`unknown archive command ${JSON.stringify(sub ?? '')}`);
  }
}
