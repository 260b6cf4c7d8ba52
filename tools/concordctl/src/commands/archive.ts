import { retentionSpec } from '@concord/archive';
import { readConfig, type Env } from '@concord/config';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { archiveStats, connectCassandra, retentionOf } from '@concord/storage';
import { bareJid, UsageError } from './account';
import { runRebuild } from './archive-rebuild';
import { formatArchiveStats } from './archive-stats';

export const ARCHIVE_USAGE = `  archive stats ACCOUNT [--json]       message count, first and last archive ID and time, buckets
  archive rebuild [ACCOUNT] [--force]  clear the archive rows of ACCOUNT (or of every account) and replay the
                                       history stream into them; --force: even if the stream lost old events`;

/** `concordctl archive ...`; returns the process exit code. */
export async function runArchive(c: CommonConfig, env: Env, args: string[], out: (s: string) => void): Promise<number> {
  const [sub, ...rest] = args;
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
      // The retention is the archive's own setting: the rebuild must expire rows as it does.
      const { archiveRetention } = readConfig(retentionSpec, env);
      return runRebuild(c, { account, force: flags.has('--force'), retention: retentionOf(archiveRetention) }, out);
    }
    default:
      throw new UsageError(`unknown archive command ${JSON.stringify(sub ?? '')}`);
  }
}
