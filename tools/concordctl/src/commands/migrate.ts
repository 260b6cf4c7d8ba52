import { migrate, parseReplication } from '@concord/storage';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';

/** Applies pending CQL migrations to the configured keyspace (creating it if needed). */
export async function runMigrate(c: CommonConfig, out: (line: string) => void): Promise<void> {
  const applied = await migrate(cassandraSettings(c), c.cassandraKeyspace, parseReplication(c.cassandraReplication), {
    onApply: (m) => out(`applying ${String(m.version).padStart(4, '0')}_${m.name}`),
  });
  out(applied.length === 0 ? `keyspace ${c.cassandraKeyspace} is current` : `applied ${applied.length} migration(s) to ${c.cassandraKeyspace}`);
}
